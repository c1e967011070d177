'use strict';
// Port of Node's parallel/test-net-options-lookup.js: the `lookup` option
// must be a function; an address family the lookup invents gives an
// ERR_INVALID_ADDRESS_FAMILY error carrying host and port.
const common = require('../common');
const assert = require('assert');
const net = require('../net');

function connectWithLookup(lookup) {
  return net.connect({ host: 'localhost', port: 0, lookup });
}

for (const notAFunction of ['foobar', 1, {}, []]) {
  assert.throws(() => connectWithLookup(notAFunction), {
    code: 'ERR_INVALID_ARG_TYPE',
    name: 'TypeError',
  });
}

// A lookup that never answers is accepted.
connectWithLookup(() => {});

{
  const socket = connectWithLookup((host, options, cb) => {
    if (options.all) {
      cb(null, [{ address: '127.0.0.1', family: 100 }]);
    } else {
      cb(null, '127.0.0.1', 100);
    }
  });
  socket.on('error', common.expectsError({
    code: 'ERR_INVALID_ADDRESS_FAMILY',
    host: 'localhost',
    port: 0,
    message: 'Invalid address family: 100 localhost:0',
  }));
}
