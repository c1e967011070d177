'use strict';
// Port of Node's test/parallel/test-net-connect-reset.js.
// resetAndDestroy() on a socket that is neither connecting nor connected
// emits ERR_SOCKET_CLOSED.
const common = require('../common');
const net = require('../net');

const unconnected = new net.Socket();
unconnected.resetAndDestroy();
unconnected.on('error', common.mustCall(common.expectsError({
  code: 'ERR_SOCKET_CLOSED',
  name: 'Error',
})));
