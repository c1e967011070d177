'use strict';
// Port of Node's test/parallel/test-net-connect-reset-before-connected.js.
// resetAndDestroy() while still connecting (then destroy()) emits neither
// 'connect' nor 'error'.
const common = require('../common');
const net = require('../net');

const server = net.createServer();
server.listen(0);
const port = server.address().port;  // bound synchronously (numeric port, no host)
const client = net.connect(port, common.localhostIPv4, common.mustNotCall());
client.on('error', common.mustNotCall());
server.close();
// The reset is deferred until connected; the destroy() wins.
client.resetAndDestroy();
client.destroy();
