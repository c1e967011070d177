'use strict';
// Port of Node's pummel/test-net-timeout.js: an echo server's 1000 ms idle
// timeout does not fire while the client writes every 500 ms, and fires more
// than 1000 ms after the client's last write.
require('../common');
const assert = require('assert');
const net = require('../net');

const timeout = 1000;
let exchanges = 0;
let waitStartedAt = null;
let timedOutAt = null;

const echoServer = net.createServer((conn) => {
  conn.setTimeout(timeout);
  conn.on('timeout', () => {
    timedOutAt = new Date();
    conn.destroy();
  });
  conn.on('error', () => {
    throw new Error(
      'Server side socket should not get error. We disconnect willingly.');
  });
  conn.on('data', (data) => conn.write(data));
  conn.on('end', () => conn.end());
});

echoServer.listen(0, () => {
  const client = net.createConnection(echoServer.address().port);
  client.setEncoding('UTF8');
  client.setTimeout(0); // The client itself never times out.

  client.on('connect', () => client.write('hello\r\n'));

  client.on('data', (chunk) => {
    assert.strictEqual(chunk, 'hello\r\n');
    if (exchanges++ < 5) {
      setTimeout(() => client.write('hello\r\n'), 500);
      // The 5th echo schedules the last write; the timeout must come after.
      if (exchanges === 5) waitStartedAt = new Date();
    }
  });

  client.on('timeout', () => {
    throw new Error("client timeout - this shouldn't happen");
  });
  client.on('end', () => client.end());
  client.on('close', () => echoServer.close());
});

process.on('exit', () => {
  assert.ok(waitStartedAt != null);
  assert.ok(timedOutAt != null);
  const idleMs = timedOutAt - waitStartedAt;
  assert.ok(timeout < idleMs, `timeout fired after ${idleMs} ms`);
});
