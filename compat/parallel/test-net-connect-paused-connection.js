'use strict';
// Port of Node's parallel/test-net-connect-paused-connection.js: a paused,
// idle client socket does not keep the process alive once the server and the
// accepted socket are unref()ed.
const common = require('../common');
const net = require('../net');

const server = net.createServer((conn) => conn.unref());
server.listen(0, common.mustCall(function() {
  net.connect(this.address().port, 'localhost').pause();
  // If the paused client kept the loop alive, this timer would fire.
  setTimeout(common.mustNotCall('expected to exit'), 1000).unref();
}));
server.unref();
