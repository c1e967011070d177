'use strict';
// Port of Node's parallel/test-net-reconnect.js: one Socket object is
// reconnected N times after each close; every round receives the greeting,
// sees 'end', and closes without error on both sides.
require('../common');
const assert = require('assert');
const net = require('../net');

const N = 50;
let greetingsReceived = 0;
let clientEnds = 0;
let clientCloses = 0;

const server = net.createServer((conn) => {
  conn.resume();
  conn.write('hello\r\n');
  conn.on('end', () => conn.end());
  conn.on('close', (hadError) => {
    assert.strictEqual(hadError, false);
  });
});

server.listen(0, function() {
  const port = this.address().port;
  const client = net.createConnection(port);
  client.setEncoding('UTF8');

  client.on('data', (chunk) => {
    greetingsReceived += 1;
    assert.strictEqual(chunk, 'hello\r\n');
    client.end();
  });

  client.on('end', () => {
    clientEnds += 1;
  });

  client.on('close', (hadError) => {
    assert.strictEqual(hadError, false);
    if (clientCloses++ < N) {
      client.connect(server.address().port); // Same socket, new connection.
    } else {
      server.close();
    }
  });
});

process.on('exit', () => {
  assert.strictEqual(clientCloses, N + 1);
  assert.strictEqual(greetingsReceived, N + 1);
  assert.strictEqual(clientEnds, N + 1);
});
