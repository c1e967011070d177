'use strict';
// Port of Node's parallel/test-net-isip.js: net.isIP() returns 4, 6 or 0
// (IPv6 zone ids allowed, non-strings and malformed texts give 0, objects are
// converted with their toString()); isIPv4()/isIPv6() agree with it.
require('../common');
const assert = require('node:assert');
const net = require('../net');

const asText = (text) => ({ toString: () => text });

// [input, net.isIP(input)]
const isIPCases = [
  ['127.0.0.1', 4],
  ['x127.0.0.1', 0],
  ['example.com', 0],
  ['0000:0000:0000:0000:0000:0000:0000:0000', 6],
  ['0000:0000:0000:0000:0000:0000:0000:0000::0000', 0],
  ['1050:0:0:0:5:600:300c:326b', 6],
  ['2001:252:0:1::2008:6', 6],
  ['2001:dead:beef:1::2008:6', 6],
  ['2001::', 6],
  ['2001:dead::', 6],
  ['2001:dead:beef::', 6],
  ['2001:dead:beef:1::', 6],
  ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 6],
  [':2001:252:0:1::2008:6:', 0],
  [':2001:252:0:1::2008:6', 0],
  ['2001:252:0:1::2008:6:', 0],
  ['2001:252::1::2008:6', 0],
  ['::2001:252:1:2008:6', 6],
  ['::2001:252:1:1.1.1.1', 6],
  ['::2001:252:1:255.255.255.255', 6],
  ['::2001:252:1:255.255.255.255.76', 0],
  ['fe80::2008%eth0', 6],
  ['fe80::2008%eth0.0', 6],
  ['fe80::2008%eth0@1', 0],
  ['::anything', 0],
  ['::1', 6],
  ['::', 6],
  ['0000:0000:0000:0000:0000:0000:12345:0000', 0],
  ['0', 0],
  [undefined, 0],
  ['', 0],
  [null, 0],
  [123, 0],
  [true, 0],
  [{}, 0],
  [asText('::2001:252:1:255.255.255.255'), 6],
  [asText('127.0.0.1'), 4],
  [asText('bla'), 0],
];
for (const [input, family] of isIPCases) {
  assert.strictEqual(net.isIP(input), family, `isIP(${String(input)})`);
}
// Called with no argument at all.
assert.strictEqual(net.isIP(), 0);
assert.strictEqual(net.isIPv4(), false);
assert.strictEqual(net.isIPv6(), false);

// [input, net.isIPv4(input), net.isIPv6(input)]
const familyCases = [
  ['127.0.0.1', true, false],
  ['example.com', false, false],
  ['2001:252:0:1::2008:6', false, true],
  ['', false, false],
  [null, false, false],
  [123, false, false],
  [true, false, false],
  [{}, false, false],
  [asText('::2001:252:1:255.255.255.255'), false, true],
  [asText('127.0.0.1'), true, false],
  [asText('bla'), false, false],
];
for (const [input, v4, v6] of familyCases) {
  assert.strictEqual(net.isIPv4(input), v4, `isIPv4(${String(input)})`);
  assert.strictEqual(net.isIPv6(input), v6, `isIPv6(${String(input)})`);
}
