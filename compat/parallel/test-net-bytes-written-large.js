'use strict';
// Port of Node's parallel/test-net-bytes-written-large.js: a large write is
// partly written synchronously and partly queued; bytesWritten must count
// both parts immediately after write()/end(), for a Buffer, a string and a
// corked mix of both.
const common = require('../common');
const assert = require('node:assert');
const net = require('../net');

const N = 10_000_000;

// Starts a server whose connection handler is `send`, connects a client that
// reads everything and checks it received `expectedBytes`.
function runCase(send, expectedBytes) {
  const server = net.createServer(common.mustCall(send));
  server.listen(0, common.mustCall(() => {
    const client = net.connect(server.address().port);
    client.resume();
    client.on('close', common.mustCall(() => {
      assert.strictEqual(client.bytesRead, expectedBytes);
      server.close();
    }));
  }));
}

// A Buffer.
runCase((conn) => {
  conn.end(Buffer.alloc(N), common.mustCall(() => {
    assert.strictEqual(conn.bytesWritten, N);
  }));
  assert.strictEqual(conn.bytesWritten, N);
}, N);

// A string.
runCase((conn) => {
  conn.end('a'.repeat(N), common.mustCall(() => {
    assert.strictEqual(conn.bytesWritten, N);
  }));
  assert.strictEqual(conn.bytesWritten, N);
}, N);

// A corked string + Buffer, flushed as one writev.
runCase((conn) => {
  conn.cork();
  conn.write('a'.repeat(N));
  assert.strictEqual(conn.bytesWritten, N);
  conn.write(Buffer.alloc(N));
  assert.strictEqual(conn.bytesWritten, 2 * N);
  conn.end('', common.mustCall(() => {
    assert.strictEqual(conn.bytesWritten, 2 * N);
  }));
  conn.uncork();
}, 2 * N);
