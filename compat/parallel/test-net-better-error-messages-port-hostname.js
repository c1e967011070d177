'use strict';
// Port of Node's parallel/test-net-better-error-messages-port-hostname.js:
// a failed DNS lookup surfaces as the lookup's own error (getaddrinfo
// ENOTFOUND <hostname>), without `host`/`port` properties added.
const common = require('../common');
const assert = require('assert');
const net = require('../net');
const { addresses: { INVALID_HOST } } = require('../common/internet');
const { errorLookupMock, mockedErrorCode } = require('../common/dns');

const client = net.createConnection({
  port: 0,
  host: INVALID_HOST,
  lookup: common.mustCall(errorLookupMock()),
});

client.on('connect', common.mustNotCall());
client.on('error', common.mustCall((err) => {
  assert.ok(!('port' in err));
  assert.ok(!('host' in err));
  assert.throws(() => { throw err; }, {
    errno: mockedErrorCode,
    code: mockedErrorCode,
    name: 'Error',
    message: 'getaddrinfo ENOTFOUND something.invalid',
    hostname: INVALID_HOST,
    syscall: 'getaddrinfo',
  });
}));
