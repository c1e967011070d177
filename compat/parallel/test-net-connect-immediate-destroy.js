'use strict';
// Port of Node's test/parallel/test-net-connect-immediate-destroy.js.
// A socket destroyed in the same tick as connect() emits neither 'connect'
// nor 'error', even though the server it targets is closing.
const common = require('../common');
const net = require('../net');

const server = net.createServer();
server.listen(0);
const port = server.address().port;  // bound synchronously (numeric port, no host)
const client = net.connect(port, common.localhostIPv4, common.mustNotCall());
client.on('error', common.mustNotCall());
server.close();
client.destroy();
