'use strict';
// Port of Node's pummel/test-net-pause.js: the server sends one byte every
// 10 ms; while the client is paused (two 500 ms windows) no 'data' arrives,
// and after resume() all N bytes are delivered.
require('../common');
const assert = require('assert');
const net = require('../net');

const N = 200;
let received = '';
let receivedAtPause = 0;

const server = net.createServer((conn) => {
  let sent = 0;
  (function sendNext() {
    if (sent >= N) {
      conn.end();
      return;
    }
    setTimeout(() => {
      conn.write('C');
      sent += 1;
      sendNext();
    }, 10);
  })();
});

server.on('listening', () => {
  const client = net.createConnection(server.address().port);
  client.setEncoding('ascii');
  client.on('data', (chunk) => {
    received += chunk;
  });

  setTimeout(() => {
    receivedAtPause = received.length;
    assert.strictEqual(receivedAtPause > 1, true);
    client.pause();
    setTimeout(() => {
      assert.strictEqual(received.length, receivedAtPause);
      client.resume();
      setTimeout(() => {
        receivedAtPause = received.length;
        client.pause();
        setTimeout(() => {
          assert.strictEqual(received.length, receivedAtPause);
          client.resume();
        }, 500);
      }, 500);
    }, 500);
  }, 500);

  client.on('end', () => {
    server.close();
    client.end();
  });
});
server.listen(0);

process.on('exit', () => {
  assert.strictEqual(received.length, N);
});
