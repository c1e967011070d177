'use strict';
// Port of Node's test/parallel/test-net-server-capture-rejection.js.
// With events.captureRejections, a promise rejected by an async 'connection'
// handler is turned into an 'error' on the accepted socket (which destroys it:
// the client sees 'close').
const common = require('../common');
const assert = require('assert');
const events = require('events');
const { createServer, connect } = require('../net');

events.captureRejections = true;

const server = createServer(common.mustCall(async (conn) => {
  server.close();
  const thrown = new Error('kaboom');
  conn.on('error', common.mustCall((err) => {
    assert.strictEqual(err, thrown);
  }));
  throw thrown;
}));

server.listen(0, common.mustCall(() => {
  // address().host is undefined (as in the original): connects to localhost.
  const client = connect(server.address().port, server.address().host);
  client.on('close', common.mustCall());
}));
