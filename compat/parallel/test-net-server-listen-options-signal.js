'use strict';
// Port of Node's test/parallel/test-net-server-listen-options-signal.js.
// listen({ signal }): a non-AbortSignal is rejected; aborting closes the
// server; an already aborted signal closes it too.
const common = require('../common');
const assert = require('assert');
const net = require('../net');

{
  const server = net.createServer();
  assert.throws(
    () => server.listen({ port: 0, signal: 'INVALID_SIGNAL' }),
    { code: 'ERR_INVALID_ARG_TYPE', name: 'TypeError' });
}

{
  const server = net.createServer();
  const controller = new AbortController();
  server.on('close', common.mustCall());
  server.listen({ port: 0, signal: controller.signal });
  controller.abort();
}

{
  const server = net.createServer();
  server.on('close', common.mustCall());
  server.listen({ port: 0, signal: AbortSignal.abort() });
}
