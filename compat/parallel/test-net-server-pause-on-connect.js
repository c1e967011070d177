'use strict';
// Port of Node's test/parallel/test-net-server-pause-on-connect.js.
// With pauseOnConnect the accepted socket reads nothing (bytesRead stays 0)
// until resume(); without it data flows at once. The paused server is only
// resumed after the second, unpaused server has received its data.
const common = require('../common');
const assert = require('assert');
const net = require('../net');

const message = 'test';
let pausedSide = true;
let pausedServerConn;

const pausedServer = net.createServer({ pauseOnConnect: true }, (conn) => {
  conn.on('data', (chunk) => {
    if (pausedSide) {
      assert.fail('data event should not have happened yet');
    }
    assert.strictEqual(chunk.toString(), message);
    conn.end();
    pausedServer.close();
  });
  pausedServerConn = conn;
});

const flowingServer = net.createServer({ pauseOnConnect: false }, (conn) => {
  conn.on('data', (chunk) => {
    assert.strictEqual(chunk.toString(), message);
    conn.end();
    flowingServer.close();

    assert.strictEqual(pausedServerConn.bytesRead, 0);
    pausedServerConn.resume();
    pausedSide = false;
  });
});

pausedServer.listen(0, function() {
  const afterFirstWrite = common.mustCall(() => {
    flowingServer.listen(0, function() {
      net.createConnection({ port: this.address().port }).write(message);
    });
  });
  net.createConnection({ port: this.address().port })
    .write(message, afterFirstWrite);
});

process.on('exit', () => {
  assert.strictEqual(pausedSide, false);
});
