'use strict';
// Port of Node's parallel/test-net-better-error-messages-path.js: connecting
// to a missing unix socket path fails with "connect ENOENT <path>"; a
// non-string path throws ERR_INVALID_ARG_TYPE.
const common = require('../common');
const assert = require('assert');
const net = require('../net');

{
  const missingPath = '/tmp/fadagagsdfgsdf';
  const client = net.connect(missingPath);
  client.on('connect', common.mustNotCall());
  client.on('error', common.expectsError({
    code: 'ENOENT',
    message: `connect ENOENT ${missingPath}`,
  }));
}

assert.throws(() => net.createConnection({ path: {} }),
              { code: 'ERR_INVALID_ARG_TYPE' });
