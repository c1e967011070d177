'use strict';
// Port of Node's parallel/test-net-dns-custom-lookup.js: a `lookup` option is
// used instead of dns.lookup, its answer drives the connection and the
// 'lookup' event; an undefined address from it gives ERR_INVALID_IP_ADDRESS.
const common = require('../common');
const assert = require('assert');
const net = require('../net');

function connectThroughCustomLookup(family, done) {
  const address = family === 4 ? common.localhostIPv4 : '::1';

  // Answers every query with `address`, in the shape the caller asked for.
  function lookup(host, dnsOptions, cb) {
    dnsOptions.family = family;
    process.nextTick(() => {
      if (dnsOptions.all) {
        cb(null, [{ address, family }]);
      } else {
        cb(null, address, family);
      }
    });
  }

  const server = net.createServer((conn) => {
    conn.end();
    server.close();
    if (done) done();
  });

  server.listen(0, address, common.mustCall(function() {
    net.connect({
      port: this.address().port,
      host: 'localhost',
      family,
      lookup,
    }).on('lookup', common.mustCall((err, ip, type) => {
      assert.strictEqual(err, null);
      assert.strictEqual(ip, address);
      assert.strictEqual(type, family);
    }));
  }));
}

connectThroughCustomLookup(4, () => {
  if (common.hasIPv6) connectThroughCustomLookup(6);
});

{
  const client = net.connect({
    host: 'localhost',
    port: 80,
    lookup(host, dnsOptions, cb) {
      if (dnsOptions.all) {
        cb(null, [{ address: undefined, family: 4 }]);
      } else {
        cb(null, undefined, 4);
      }
    },
  });
  client.on('error', common.expectsError({ code: 'ERR_INVALID_IP_ADDRESS' }));
}
