'use strict';
// Port of Node's parallel/test-net-socket-byteswritten.js: two corked writes
// flushed together (a writev) before the socket is connected are counted once
// each in bytesWritten, in bytes.
const common = require('../common');
const assert = require('node:assert');
const net = require('../net');

const server = net.createServer((conn) => conn.end());

server.listen(0, common.mustCall(() => {
  const socket = net.connect(server.address().port);
  const expectedBytes = 3 + 4; // 'one' + 'twø' (ø is 2 bytes in UTF-8)

  socket.cork();
  socket.write('one');
  socket.write(Buffer.from('twø', 'utf8'));
  socket.uncork();

  assert.strictEqual(socket.bytesWritten, expectedBytes);

  socket.on('connect', common.mustCall(() => {
    assert.strictEqual(socket.bytesWritten, expectedBytes);
  }));
  socket.on('end', common.mustCall(() => {
    assert.strictEqual(socket.bytesWritten, expectedBytes);
    server.close();
  }));
}));
