'use strict';
// Port of Node's test/sequential/test-net-server-address.js.
// server.address() for an IPv4 host, an IPv6 host, and no host (which binds
// the IPv6 any-address '::'), with fixed, omitted and zero ports.
const common = require('../common');
const assert = require('assert');
const net = require('../net');

// Listens with `listenArgs`, then checks address() against `expected`.
function checkAddress(listenArgs, expected) {
  const server = net.createServer();
  server.on('error', common.mustNotCall());
  server.listen(...listenArgs, common.mustCall(() => {
    const addr = server.address();
    assert.strictEqual(addr.address, expected.address);
    if (expected.port !== undefined) {
      assert.strictEqual(addr.port, expected.port);
    }
    assert.strictEqual(addr.family, expected.family);
    server.close();
  }));
}

// IPv4 host.
checkAddress([common.PORT + 1, common.localhostIPv4], {
  address: common.localhostIPv4, port: common.PORT + 1, family: 'IPv4',
});

if (!common.hasIPv6) {
  common.printSkipMessage('ipv6 part of test, no IPv6 support');
  return;
}

// IPv6 host.
checkAddress([common.PORT + 2, '::1'], {
  address: '::1', port: common.PORT + 2, family: 'IPv6',
});
// No host, explicit port.
checkAddress([common.PORT + 3], {
  address: '::', port: common.PORT + 3, family: 'IPv6',
});
// No host, no port.
checkAddress([], { address: '::', family: 'IPv6' });
// No host, port 0.
checkAddress([0], { address: '::', family: 'IPv6' });
