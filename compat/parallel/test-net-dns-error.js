'use strict';
// Port of Node's parallel/test-net-dns-error.js: a hostname that cannot
// resolve gives ENOTFOUND/EAI_FAIL, both as 'error' and in the 'lookup' event.
const common = require('../common');
const assert = require('assert');
const net = require('../net');

const unresolvable = '*'.repeat(64);
const acceptedCodes = ['ENOTFOUND', 'EAI_FAIL'];

const socket = net.connect(42, unresolvable, common.mustNotCall());
socket.on('error', common.mustCall((err) => {
  assert(acceptedCodes.includes(err.code), err);
}));
socket.on('lookup', common.mustCall((err, ip, family) => {
  assert(err instanceof Error);
  assert(acceptedCodes.includes(err.code), err);
  assert.strictEqual(ip, undefined);
  assert.strictEqual(family, undefined);
}));
