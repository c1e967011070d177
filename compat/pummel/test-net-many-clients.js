'use strict';
// Port of Node's pummel/test-net-many-clients.js: 50 concurrent clients each
// connect 3 times in a row (reusing the Socket) and receive 40 KiB per
// connection in full, closing without error.
require('../common');
const assert = require('assert');
const net = require('../net');

const bytes = 1024 * 40;
const concurrency = 50;
const connectionsPerClient = 3;
const body = 'C'.repeat(bytes);

let totalConnections = 0;

const server = net.createServer((conn) => {
  totalConnections += 1;
  conn.write(body);
  conn.end();
});

function runClient(port, onDone) {
  const client = net.createConnection(port);
  client.connections = 0;
  client.setEncoding('utf8');

  client.on('connect', () => {
    client.received = '';
    client.connections += 1;
  });
  client.on('data', (chunk) => {
    client.received += chunk;
  });
  client.on('end', () => client.end());
  client.on('error', (err) => {
    throw err;
  });
  client.on('close', (hadError) => {
    assert.strictEqual(hadError, false);
    assert.strictEqual(client.received.length, bytes);
    // Upstream also asserts the legacy `fd` property is unset after close.
    assert.ok(!client.fd);
    if (client.connections < connectionsPerClient) {
      client.connect(port);
    } else {
      onDone();
    }
  });
}

server.listen(0, () => {
  const { port } = server.address();
  let finishedClients = 0;
  for (let i = 0; i < concurrency; i++) {
    runClient(port, () => {
      finishedClients += 1;
      if (finishedClients === concurrency) server.close();
    });
  }
});

process.on('exit', () => {
  assert.strictEqual(totalConnections, connectionsPerClient * concurrency);
});
