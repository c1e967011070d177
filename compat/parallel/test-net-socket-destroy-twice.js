'use strict';
// Port of Node's test/parallel/test-net-socket-destroy-twice.js.
// The connection is refused (the server is closed before it is accepted);
// calling destroy() again from the 'error' handler still gives one 'close'.
const common = require('../common');
const net = require('../net');

const server = net.createServer();
server.listen(0);
// listen(0) without a host binds synchronously: the port is known already.
const port = server.address().port;
const client = net.createConnection(port);

client.on('error', common.mustCall(() => {
  client.destroy();
}));
client.on('close', common.mustCall());

server.close();
