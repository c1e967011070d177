'use strict';
// Port of Node's parallel/test-net-socket-connect-invalid-autoselectfamily.js:
// a non-boolean autoSelectFamily option throws ERR_INVALID_ARG_TYPE.
require('../common');
const assert = require('assert');
const net = require('../net');

assert.throws(() => {
  net.connect({ port: 8080, autoSelectFamily: 'INVALID' });
}, { code: 'ERR_INVALID_ARG_TYPE' });
