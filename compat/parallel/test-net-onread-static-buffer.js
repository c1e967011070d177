'use strict';
// Port of Node's parallel/test-net-onread-static-buffer.js: the `onread`
// connect option. Data is delivered to onread.callback(nread, buf) in the
// caller's buffer (never as 'data' events), with a static Buffer or
// Uint8Array, with a buffer factory (called once per read, including the read
// that sees EOF: 7 calls for 11 bytes in 2-byte buffers), with pause()/resume()
// from the callback, and with `return false` pausing the socket.
const common = require('../common');
const assert = require('node:assert');
const net = require('../net');

const message = Buffer.from('hello world');

// Each scenario gets its own one-shot server that sends `message` and ends.
// makeOnread() returns { onread, check } where check() runs at 'end'.
function scenario(makeOnread) {
  const server = net.createServer(common.mustCall(function(conn) {
    this.close();
    conn.end(message);
  }));
  server.listen(0, function() {
    const { onread, check } = makeOnread();
    net.connect({ port: this.address().port, onread })
      .on('data', common.mustNotCall())
      .on('end', common.mustCall(check));
  });
}

function appendBytes(target, source, count) {
  const joined = new Uint8Array(target.length + count);
  joined.set(target);
  joined.set(source.slice(0, count), target.length);
  return joined;
}

// A static Buffer.
scenario(() => {
  const staticBuf = Buffer.alloc(8);
  const pieces = [];
  let total = 0;
  return {
    onread: {
      buffer: staticBuf,
      callback(nread, buf) {
        assert.strictEqual(buf, staticBuf);
        total += nread;
        pieces.push(Buffer.from(buf.slice(0, nread)));
      },
    },
    check() {
      assert.strictEqual(total, message.length);
      assert.deepStrictEqual(Buffer.concat(pieces), message);
    },
  };
});

// A static Uint8Array.
scenario(() => {
  const staticBuf = new Uint8Array(8);
  let collected = new Uint8Array(0);
  let total = 0;
  return {
    onread: {
      buffer: staticBuf,
      callback(nread, buf) {
        assert.strictEqual(buf, staticBuf);
        total += nread;
        collected = appendBytes(collected, buf, nread);
      },
    },
    check() {
      assert.strictEqual(total, message.length);
      assert.deepStrictEqual(collected, new Uint8Array(message));
    },
  };
});

// A factory cycling through three 2-byte buffers of the given type.
function poolScenario(makeBuffer, collect, finish) {
  scenario(() => {
    const pool = [makeBuffer(2), makeBuffer(2), makeBuffer(2)];
    let current = -1;
    let factoryCalls = 0;
    let total = 0;
    return {
      onread: {
        buffer: () => {
          factoryCalls++;
          current = (current + 1) % pool.length;
          return pool[current];
        },
        callback(nread, buf) {
          assert.strictEqual(buf, pool[current]);
          total += nread;
          collect(buf, nread);
        },
      },
      check() {
        assert.strictEqual(total, message.length);
        finish();
        assert.strictEqual(factoryCalls, 7);
      },
    };
  });
}

{
  const pieces = [];
  poolScenario((n) => Buffer.alloc(n),
               (buf, nread) => pieces.push(Buffer.from(buf.slice(0, nread))),
               () => assert.deepStrictEqual(Buffer.concat(pieces), message));
}
{
  let collected = new Uint8Array(0);
  poolScenario((n) => new Uint8Array(n),
               (buf, nread) => { collected = appendBytes(collected, buf, nread); },
               () => assert.deepStrictEqual(collected, new Uint8Array(message)));
}

// Pausing from the callback: explicitly with this.pause(), or implicitly by
// returning false. No callback may run while paused; resume after 100 ms.
for (const explicitPause of [true, false]) {
  scenario(() => {
    const staticBuf = Buffer.alloc(8);
    const pieces = [];
    let total = 0;
    let paused = false;
    return {
      onread: {
        buffer: staticBuf,
        callback(nread, buf) {
          assert.strictEqual(paused, false);
          assert.strictEqual(buf, staticBuf);
          total += nread;
          pieces.push(Buffer.from(buf.slice(0, nread)));
          paused = true;
          if (explicitPause) this.pause();
          setTimeout(() => {
            paused = false;
            this.resume();
          }, 100);
          if (!explicitPause) return false;
        },
      },
      check() {
        assert.strictEqual(total, message.length);
        assert.deepStrictEqual(Buffer.concat(pieces), message);
      },
    };
  });
}
