'use strict';
// Port of Node's parallel/test-net-connect-options-invalid.js: object-mode
// stream options are refused by createConnection with ERR_INVALID_ARG_VALUE.
require('../common');
const assert = require('assert');
const net = require('../net');

for (const key of ['objectMode', 'readableObjectMode', 'writableObjectMode']) {
  const expectedText =
    `The property 'options.${key}' is not supported. Received true`;
  assert.throws(() => net.createConnection({ port: 8080, [key]: true }), {
    code: 'ERR_INVALID_ARG_VALUE',
    name: 'TypeError',
    message: new RegExp(expectedText),
  });
}
