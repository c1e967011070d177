'use strict';
// Port of Node's test/parallel/test-net-socket-reset-twice.js.
// The connection is refused; resetAndDestroy() from the 'error' handler
// still gives exactly one 'close'.
const common = require('../common');
const net = require('../net');

const server = net.createServer();
server.listen(0);
const port = server.address().port;  // bound synchronously (numeric port, no host)
const client = net.createConnection(port);

client.on('error', common.mustCall(() => {
  client.resetAndDestroy();
}));
client.on('close', common.mustCall());

server.close();
