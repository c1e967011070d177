'use strict';
// Port of Node's parallel/test-net-throttle.js: the server writes until
// write() returns false, then twice more; the client pauses for 100 ms on each
// burst of data (nothing may arrive while paused) and must receive every byte.
require('../common');
const assert = require('node:assert');
const net = require('../net');
const debuglog = require('node:util').debuglog('test');

let received = 0;
let pauses = 0;
let sentTotal = 0;

const server = net.createServer((conn) => {
  const chunk = 'C'.repeat(1024);
  let writes = 1;
  while (conn.write(chunk)) writes++;
  debuglog(`write() returned false after ${writes} writes`);
  // Writes past backpressure are still queued, not dropped.
  conn.write(chunk);
  conn.write(chunk);
  writes += 2;
  sentTotal = writes * chunk.length;
  assert.ok(conn.bufferSize >= 0, `bufferSize: ${conn.bufferSize}`);
  assert.ok(conn.writableLength <= sentTotal,
            `writableLength: ${conn.writableLength}, totalLength: ${sentTotal}`);
  conn.end();
});

server.listen(0, () => {
  const client = net.createConnection(server.address().port);
  let paused = false;
  client.setEncoding('ascii');
  client.on('data', (text) => {
    received += text.length;
    debuglog(`received ${received}`);
    if (paused) return;
    client.pause();
    pauses++;
    paused = true;
    const receivedAtPause = received;
    setTimeout(() => {
      assert.strictEqual(received, receivedAtPause);
      client.resume();
      paused = false;
    }, 100);
  });
  client.on('end', () => {
    server.close();
    client.end();
  });
});

process.on('exit', () => {
  assert.strictEqual(received, sentTotal);
  assert.ok(pauses > 1, `${pauses} > 1`);
});
