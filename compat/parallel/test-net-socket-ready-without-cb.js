'use strict';
// Port of Node's parallel/test-net-socket-ready-without-cb.js: a socket
// connected with connect(server.address()) and no callback emits 'ready'.
const common = require('../common');
const net = require('../net');

const server = net.createServer(common.mustCall((conn) => {
  conn.end();
  server.close();
}));

server.listen(0, 'localhost', common.mustCall(() => {
  const client = new net.Socket();
  client.on('ready', common.mustCall(() => client.end()));
  client.connect(server.address());
}));
