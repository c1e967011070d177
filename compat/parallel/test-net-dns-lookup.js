'use strict';
// Port of Node's parallel/test-net-dns-lookup.js: connecting to a hostname
// emits 'lookup' with (err, address, family, host).
const common = require('../common');
const assert = require('assert');
const net = require('../net');

const server = net.createServer((conn) => {
  conn.end();
  server.close();
});

server.listen(0, common.mustCall(function() {
  const client = net.connect(this.address().port, 'localhost');
  client.on('lookup', common.mustCallAtLeast((err, ip, family, host) => {
    assert.strictEqual(err, null);
    assert.match(ip, /^(127\.0\.0\.1|::1)$/);
    assert.match(family.toString(), /^(4|6)$/);
    assert.strictEqual(host, 'localhost');
  }, 1));
}));
