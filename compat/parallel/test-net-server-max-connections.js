'use strict';
// Port of Node's test/parallel/test-net-server-max-connections.js.
// 20 clients connect one after the other to a server with maxConnections=10.
// The first 10 are accepted and receive 'hello'; the last 10 are closed by the
// server without any data. The refused ones close first; once 10 closes have
// been seen the accepted ones are ended and the server closed.
const common = require('../common');
const assert = require('assert');
const net = require('../net');

const TOTAL = 20;
const LIMIT = TOTAL / 2;
let closed = 0;
const pendingEnds = [];

const server = net.createServer(common.mustCall((conn) => {
  conn.write('hello');
  pendingEnds.push(() => conn.end());
}, LIMIT));

server.listen(0, () => {
  openClient(0);
});

server.maxConnections = LIMIT;

function openClient(index) {
  const client = net.createConnection(server.address().port);
  let receivedData = false;

  client.on('connect', () => {
    // Chain the next client only once this one is connected, so that
    // connections reach the server in index order.
    if (index + 1 < TOTAL) openClient(index + 1);

    client.on('close', () => {
      console.error(`closed ${index}`);
      closed++;

      if (closed < LIMIT) {
        assert.ok(server.maxConnections <= index,
                  `${index} should not have been one of the first closed connections`);
      }

      if (closed === LIMIT) {
        console.error('ending the accepted connections');
        let end;
        while ((end = pendingEnds.shift()) !== undefined) end();
        server.close();
      }

      if (index < server.maxConnections) {
        assert.strictEqual(receivedData, true,
                           `${index} didn't get data, but should have`);
      } else {
        assert.strictEqual(receivedData, false,
                           `${index} got data, but shouldn't have`);
      }
    });
  });

  client.on('end', () => client.end());

  client.on('data', (chunk) => {
    receivedData = true;
    assert.ok(chunk.length > 0);
  });

  client.on('error', (err) => {
    // SmartOS may refuse under load (nodejs/node#2663): retry there.
    if (common.isSunOS && err.code === 'ECONNREFUSED') {
      client.connect(server.address().port);
    }
    console.error(`error ${index}: ${err}`);
  });
}

process.on('exit', () => {
  assert.strictEqual(closed, TOTAL);
});
