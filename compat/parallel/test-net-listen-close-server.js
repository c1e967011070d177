'use strict';
// Port of Node's test/parallel/test-net-listen-close-server.js.
// close() in the same tick as listen(): neither 'listening' nor 'error'.
const common = require('../common');
const net = require('../net');

const server = net.createServer(() => {});
server.listen(0, common.mustNotCall());
server.on('error', common.mustNotCall());
server.close();
