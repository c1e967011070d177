'use strict';
// Port of Node's pummel/test-net-pingpong-delay.js: 100 PING/PONG rounds,
// each answer delayed by 1 ms; readyState stays 'open' throughout, the
// allowHalfOpen server sees 'writeOnly' at 'end' and 'closed' at 'close'; no
// 'timeout' event on either side.
const common = require('../common');
const assert = require('assert');
const net = require('../net');

function pingPong(host) {
  const N = 100;
  const DELAY = 1;
  let rounds = 0;
  let clientEnded = false;

  const server = net.createServer({ allowHalfOpen: true }, (conn) => {
    conn.setEncoding('utf8');

    conn.on('data', (data) => {
      assert.strictEqual(data, 'PING');
      assert.strictEqual(conn.readyState, 'open');
      assert.strictEqual(rounds <= N, true);
      setTimeout(() => {
        assert.strictEqual(conn.readyState, 'open');
        conn.write('PONG');
      }, DELAY);
    });
    conn.on('timeout', () => {
      assert.fail('server-side timeout');
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

  server.listen(0, host, common.mustCall(() => {
    const client = net.createConnection(server.address().port, host);
    client.setEncoding('utf8');

    client.on('connect', () => {
      assert.strictEqual(client.readyState, 'open');
      client.write('PING');
    });
    client.on('data', (data) => {
      assert.strictEqual(data, 'PONG');
      assert.strictEqual(client.readyState, 'open');
      setTimeout(() => {
        assert.strictEqual(client.readyState, 'open');
        if (rounds++ < N) {
          client.write('PING');
        } else {
          client.end();
          clientEnded = true;
        }
      }, DELAY);
    });
    client.on('timeout', () => {
      assert.fail('client-side timeout');
    });
    client.on('close', common.mustCall(() => {
      assert.strictEqual(rounds, N + 1);
      assert.ok(clientEnded);
    }));
  }));
}

pingPong();
