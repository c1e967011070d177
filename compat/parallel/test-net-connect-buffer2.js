'use strict';
// Port of Node's parallel/test-net-connect-buffer2.js: writes made while a highWaterMark-0
// socket is still connecting. Checks pending/connecting/readyState while
// opening, that bytesWritten counts bytes (not characters) exactly once, and
// that write() reports backpressure.
const common = require('../common');
const assert = require('node:assert');
const net = require('../net');

const expected = "L'État, c'est moi";

// Called without `new`: the constructors must be callable.
const server = net.Server(common.mustCall((conn) => {
  server.close();
  let text = '';
  conn.setEncoding('utf8');
  conn.on('data', (chunk) => { text += chunk; });
  conn.on('end', common.mustCall(() => {
    assert.strictEqual(text, expected);
    conn.end();
  }));
}));

server.listen(0, common.mustCall(function() {
  const socket = net.Stream({ highWaterMark: 0 });
  let connected = false;

  assert.strictEqual(socket.pending, true);
  socket.connect(this.address().port, common.mustCall(() => { connected = true; }));
  assert.strictEqual(socket.pending, true);
  assert.strictEqual(socket.connecting, true);
  assert.strictEqual(socket.readyState, 'opening');

  // The first part holds a multi-byte character; it is queued until connect
  // and must not be counted twice in bytesWritten when actually written.
  const first = "L'État, c'est ";
  const second = 'moi';
  const accepted = socket.write(first, common.mustCall(() => {
    assert.ok(connected);
    assert.strictEqual(socket.bytesWritten, Buffer.byteLength(first + second));
    assert.strictEqual(socket.pending, false);
  }));
  socket.on('close', common.mustCall(() => {
    assert.strictEqual(socket.pending, true);
  }));

  assert.strictEqual(socket.bytesWritten, Buffer.byteLength(first));
  assert.strictEqual(accepted, false);
  socket.end(second);
  assert.strictEqual(socket.readyState, 'opening');
}));
