'use strict';
// Port of Node's parallel/test-net-connect-call-socket-connect.js:
// net.connect() must start the connection through Socket.prototype.connect,
// so that a monkey-patched connect (as some libraries install) is honoured.
const common = require('../common');
const net = require('../net');

const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = common.mustCall(function(...args) {
  return originalConnect.apply(this, args);
});

const server = net.createServer();
server.listen(common.mustCall(() => {
  const client = net.connect({ port: server.address().port },
                             common.mustCall(() => client.end()));
  client.on('end', common.mustCall(() => server.close()));
}));
