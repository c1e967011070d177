'use strict';
// Port of Node's parallel/test-net-pingpong.js: 1000 PING/PONG rounds plus a
// final PING sent together with end(), over a unix socket, TCP on the default
// address and TCP on ::1 (127.0.0.1 without IPv6), all at once. The server
// uses allowHalfOpen; checks socket.server, getConnections(), bufferSize and
// readable/writable at each step.
const common = require('../common');
const assert = require('node:assert');
const net = require('../net');
const tmpdir = require('../common/tmpdir');

function pingPongTest(port, host) {
  const rounds = 1000;
  let pongsReceived = 0;
  let pongsSent = 0;
  let finalPingSent = false;

  const server = net.createServer({ allowHalfOpen: true }, common.mustCall((conn) => {
    assert.strictEqual(conn.server, server);
    // getConnections() returns the server and reports this one connection.
    assert.strictEqual(server, server.getConnections(common.mustSucceed((count) => {
      assert.strictEqual(count, 1);
    })));

    conn.setNoDelay();
    conn.timeout = 0;
    conn.setEncoding('utf8');

    conn.on('data', common.mustCall((text) => {
      // The server answers each PING before the next one arrives, so at most
      // one PONG can be queued.
      assert.ok(conn.bufferSize >= 0 && conn.bufferSize <= 4);
      assert.strictEqual(conn.writable, true);
      assert.strictEqual(conn.readable, true);
      assert.ok(pongsReceived <= rounds);
      assert.strictEqual(text, 'PING');
      conn.write('PONG', common.mustCall(() => { pongsSent++; }));
    }, rounds + 1));

    conn.on('end', common.mustCall(() => {
      assert.strictEqual(conn.allowHalfOpen, true);
      assert.strictEqual(conn.writable, true); // half-open: still writable
      assert.strictEqual(conn.readable, false);
      conn.end();
    }));
    conn.on('error', common.mustNotCall());
    conn.on('close', common.mustCall(() => {
      assert.strictEqual(conn.writable, false);
      assert.strictEqual(conn.readable, false);
      conn.server.close();
    }));
  }));

  server.listen(port, host, common.mustCall(function() {
    // A unix socket has no port: keep the path.
    if (this.address().port) port = this.address().port;

    const client = net.createConnection(port, host);
    client.setEncoding('ascii');
    client.on('connect', common.mustCall(() => {
      assert.strictEqual(client.readable, true);
      assert.strictEqual(client.writable, true);
      client.write('PING');
    }));

    client.on('data', common.mustCall((text) => {
      assert.strictEqual(text, 'PONG');
      pongsReceived++;
      if (finalPingSent) {
        assert.strictEqual(client.writable, false);
        assert.strictEqual(client.readable, true);
        return;
      }
      assert.strictEqual(client.writable, true);
      assert.strictEqual(client.readable, true);
      if (pongsReceived < rounds) {
        client.write('PING');
      } else {
        finalPingSent = true;
        client.write('PING');
        client.end();
      }
    }, rounds + 1));

    client.on('close', common.mustCall(() => {
      assert.strictEqual(pongsReceived, rounds + 1);
      assert.strictEqual(pongsSent, rounds + 1);
      assert.strictEqual(finalPingSent, true);
    }));
    client.on('error', common.mustNotCall());
  }));
}

// All three run concurrently, each on its own address.
tmpdir.refresh();
pingPongTest(common.PIPE);
pingPongTest(0);
pingPongTest(0, common.hasIPv6 ? '::1' : '127.0.0.1');
