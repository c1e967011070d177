'use strict';
// Port of Node's test/parallel/test-net-listen-error.js.
// Listening on an address that is not local fails with an 'error' event
// (EACCES or EADDRNOTAVAIL) and never calls the listen callback.
const common = require('../common');
const net = require('../net');

const server = net.createServer(() => {});
server.listen(1, '1.1.1.1', common.mustNotCall());
server.on('error', common.mustCall());
