'use strict';
// Port of Node's parallel/test-net-connect-options-ipv6.js: family: 6 is
// passed to a custom lookup, whose ::1 answer is connected to; with
// allowHalfOpen the client stays writable after the server's FIN.
const common = require('../common');
if (!common.hasIPv6) common.skip('no IPv6 support');

const assert = require('assert');
const net = require('../net');

const IPV6_LOOPBACK = '::1';
const HOSTNAME = 'dummy';

const server = net.createServer({ allowHalfOpen: true }, (conn) => {
  conn.resume();
  conn.on('end', common.mustCall());
  conn.end();
});

server.listen(0, IPV6_LOOPBACK, () => {
  const client = net.connect({
    host: HOSTNAME,
    port: server.address().port,
    family: 6,
    allowHalfOpen: true,
    lookup: common.mustCall((host, options, cb) => {
      assert.strictEqual(host, HOSTNAME);
      assert.strictEqual(options.family, 6);
      cb(null, IPV6_LOOPBACK, options.family);
    }),
  }, () => {
    // No mustCall here, as upstream: 'close' is the only way to finish.
    client.resume();
    client.on('end', () => {
      // One loop turn later the half-open socket must still be writable.
      setTimeout(() => {
        assert(client.writable);
        client.end();
      }, 10);
    });
    client.on('close', () => server.close());
  });
});
