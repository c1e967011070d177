'use strict';
// Port of Node's test/parallel/test-net-server-unref.js.
// An unref()ed listening server does not keep the process alive: the process
// exits before the (also unref()ed) 1 s timer could fire.
const common = require('../common');
const net = require('../net');

const server = net.createServer();
server.listen(0);
server.unref();

setTimeout(common.mustNotCall(), 1000).unref();
