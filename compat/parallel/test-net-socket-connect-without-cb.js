'use strict';
// Port of Node's parallel/test-net-socket-connect-without-cb.js: a socket
// connected with connect(server.address()) and no callback emits 'connect'.
const common = require('../common');
const dns = require('dns');
const net = require('../net');

// server.address() of a default listen() is { address: '::', family: 'IPv6' },
// so the client looks up 'localhost' with family IPv6: that only resolves when
// the hosts file maps ::1 to localhost. Check that precondition first (it does
// not depend on the net implementation under test).
dns.lookup('localhost', { family: 6 }, (err) => {
  if (common.hasIPv6 && err) {
    common.skip("'localhost' does not resolve to an IPv6 address " +
                `(${err.code}); needs '::1 localhost' in the hosts file`);
  }
  runTest();
});

function runTest() {
  const server = net.createServer(common.mustCall((conn) => {
    conn.end();
    server.close();
  }));

  server.listen(0, common.mustCall(() => {
    const client = new net.Socket();
    client.on('connect', common.mustCall(() => client.end()));

    const address = server.address();
    if (!common.hasIPv6 && address.family === 'IPv6') {
      // As upstream: containers without IPv6 connect by port only.
      client.connect(address.port);
    } else {
      client.connect(address);
    }
  }));
}
