'use strict';
// Port of Node's pummel/test-net-pingpong.js: 1000 PING/PONG rounds over
// localhost, 127.0.0.1 and ::1 with allowHalfOpen servers; readyState is
// 'open' during the exchange, 'readOnly' on the client after end(),
// 'writeOnly' on the server at 'end', 'closed' at 'close'.
const common = require('../common');
const assert = require('assert');
const net = require('../net');

let completedRuns = 0;

function pingPong(host) {
  const N = 1000;
  let pongs = 0;
  let finalPingSent = false;

  const server = net.createServer({ allowHalfOpen: true }, (conn) => {
    const peer = conn.remoteAddress;
    assert.strictEqual(peer !== null, true);
    assert.strictEqual(peer !== undefined, true);
    if (host === '127.0.0.1') {
      assert.strictEqual(peer, '127.0.0.1');
    } else if (host == null || host === 'localhost') {
      assert(peer === '127.0.0.1' || peer === '::ffff:127.0.0.1' ||
             peer === '::1');
    } else {
      assert.strictEqual(peer, '::1');
    }

    conn.setEncoding('utf8');
    conn.setNoDelay();
    conn.timeout = 0;

    conn.on('data', (data) => {
      assert.strictEqual(conn.readyState, 'open');
      assert.strictEqual(pongs <= N, true);
      if (/PING/.test(data)) conn.write('PONG');
    });
    conn.on('end', () => {
      assert.strictEqual(conn.readyState, 'writeOnly');
      conn.end();
    });
    conn.on('close', (hadError) => {
      assert.strictEqual(hadError, false);
      assert.strictEqual(conn.readyState, 'closed');
      conn.server.close();
    });
  });

  server.listen(0, host, () => {
    const client = net.createConnection(server.address().port, host);
    client.setEncoding('utf8');

    client.on('connect', () => {
      assert.strictEqual(client.readyState, 'open');
      client.write('PING');
    });

    client.on('data', (data) => {
      assert.strictEqual(data, 'PONG');
      pongs += 1;
      if (finalPingSent) {
        assert.strictEqual(client.readyState, 'readOnly');
        return;
      }
      assert.strictEqual(client.readyState, 'open');
      if (pongs < N) {
        client.write('PING');
      } else {
        finalPingSent = true;
        client.write('PING');
        client.end();
      }
    });

    client.on('close', () => {
      assert.strictEqual(pongs, N + 1);
      assert.strictEqual(finalPingSent, true);
      completedRuns += 1;
    });
  });
}

pingPong(null);
pingPong('127.0.0.1');
if (common.hasIPv6) pingPong('::1');

process.on('exit', () => {
  assert.strictEqual(completedRuns, common.hasIPv6 ? 3 : 2);
});
