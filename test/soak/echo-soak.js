'use strict';
// Echo soak: thousands of connections in one process, checksummed data of
// random sizes, random pauses on both sides, half-closes. Asserts that every
// byte comes back exactly once and in order, and that every socket (client
// and server side) ends and closes, with no 'error'.
//
//   node test/soak/echo-soak.js [--impl node|iocp-net] [--conns N] [--bytes-per-conn N]
//                               [--seed N] [--timeout-s N]
//
// The last stdout line is one JSON object: {ok, conns, bytes, lost, errors,
// unfinished, seconds, ...}. Exit code 0 only when ok.
//
// Run it under kernel TCP memory pressure (see .ci/lanes/60-soak.sh) to check
// that transient send refusals (EAGAIN/ENOBUFS) are retried, never surfaced
// (rule 16 of docs/DESIGN.md). Needs a soft fd limit above 2 x conns.
const path = require('node:path');
const crypto = require('node:crypto');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
}

const implName = arg('impl', 'iocp-net');
const net = implName === 'node' ? require('node:net') : require(path.join(__dirname, '..', '..', 'dist', 'net.js'));
const CONNS = Number(arg('conns', 2000));
const BYTES_PER_CONN = Number(arg('bytes-per-conn', 400_000));
const SEED = Number(arg('seed', 1));
const TIMEOUT_S = Number(arg('timeout-s', 240));

// Deterministic PRNG (mulberry32) so a failing run can be repeated.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(SEED);
const randInt = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));

// Stream content: byte at offset o of connection c is PATTERN[(o + c * 7919) % PATTERN.length],
// so the receiver checks each chunk against a slice of the pattern (memcmp speed).
const PATTERN = crypto.createHash('sha512').update(String(SEED)).digest();
const BIG = Buffer.alloc(1 << 20);
for (let i = 0; i < BIG.length; i += PATTERN.length) PATTERN.copy(BIG, i);
const PLEN = BIG.length - (BIG.length % PATTERN.length); // a multiple of the pattern period
function expected(conn, offset, size) {
  // Returns the expected bytes at [offset, offset+size) (size <= PLEN).
  const start = (offset + conn * 7919) % PATTERN.length;
  return BIG.subarray(start, start + size);
}

const stats = { bytesSent: 0, bytesChecked: 0, lost: 0, corrupt: 0, errors: [], serverErrors: [], ended: 0, closed: 0, serverClosed: 0 };
const clients = [];

const serverSockets = new Map();  // client's local port -> the server's socket (for a failure report)
const server = net.createServer({ allowHalfOpen: true }, (socket) => {
  serverSockets.set(socket.remotePort, socket);
  socket.on('close', () => serverSockets.delete(socket.remotePort));
  // Echo with backpressure and random read pauses; end after the echo of everything.
  socket.on('data', (chunk) => {
    if (!socket.write(chunk)) {
      socket.pause();
      socket.once('drain', () => socket.resume());
    }
    if (random() < 0.02) {
      socket.pause();
      // Wait for 'drain' only when one is due (write() returned false): node
      // emits it for nothing else. Waiting whenever writableLength > 0 hung
      // once in ~20 runs on io_uring (a small write held behind unsent ones,
      // its write() true) and could on node:net too (a write libuv queued).
      setTimeout(() => { if (!socket.writableNeedDrain || random() < 0.5) socket.resume(); else socket.once('drain', () => socket.resume()); }, randInt(1, 30));
    }
  });
  socket.on('end', () => socket.end());
  socket.on('error', (err) => stats.serverErrors.push(`${err.code || err.message} (${err.syscall || ''})`));
  socket.on('close', () => stats.serverClosed++);
});

function startClient(id, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const state = { id, sent: 0, received: 0, ended: false, closed: false, error: null, socket };
    clients.push(state);
    const send = () => {
      while (state.sent < BYTES_PER_CONN) {
        const size = Math.min(BYTES_PER_CONN - state.sent, random() < 0.7 ? randInt(1, 4096) : randInt(4096, 256 * 1024));
        const chunk = Buffer.from(expected(id, state.sent, size)); // a copy: the writer may keep it
        state.sent += size;
        stats.bytesSent += size;
        if (!socket.write(chunk)) {
          socket.once('drain', send);
          return;
        }
        if (random() < 0.01) {
          setTimeout(send, randInt(1, 20)); // pause writing
          return;
        }
      }
      socket.end(); // half-close: the server ends after echoing everything
    };
    socket.on('connect', () => {
      resolve();
      send();
    });
    socket.on('data', (chunk) => {
      let offset = 0;
      while (offset < chunk.length) {
        const n = Math.min(chunk.length - offset, PLEN - PATTERN.length);
        if (!expected(id, state.received, n).equals(chunk.subarray(offset, offset + n))) stats.corrupt++;
        state.received += n;
        offset += n;
      }
      stats.bytesChecked += chunk.length;
      if (random() < 0.02) {
        socket.pause();
        setTimeout(() => socket.resume(), randInt(1, 40));
      }
    });
    socket.on('end', () => {
      state.ended = true;
      stats.ended++;
    });
    socket.on('error', (err) => {
      state.error = `${err.code || err.message} (${err.syscall || ''})`;
      stats.errors.push(`client ${id}: ${state.error}`);
    });
    socket.on('close', () => {
      state.closed = true;
      stats.closed++;
      maybeFinish();
    });
  });
}

const started = Date.now();
/** What the server's side of a connection that did not finish is doing. */
function serverState(s) {
  if (!s) return null;
  return {
    bytesRead: s.bytesRead, bytesWritten: s.bytesWritten, writableLength: s.writableLength, paused: s.isPaused(),
    flowing: s.readableFlowing, readableLength: s.readableLength, readableEnded: s.readableEnded,
    writableEnded: s.writableEnded, writableFinished: s.writableFinished, needDrain: s.writableNeedDrain,
  };
}

let finished = false;
function report(reason) {
  if (finished) return;
  finished = true;
  const unfinished = clients.filter((c) => !c.closed || !c.ended || c.received !== BYTES_PER_CONN);
  const lost = clients.reduce((sum, c) => sum + Math.max(0, c.sent - c.received), 0);
  const result = {
    ok: reason === 'done' && unfinished.length === 0 && stats.corrupt === 0 && stats.errors.length === 0 &&
      stats.serverErrors.length === 0 && stats.serverClosed === CONNS && lost === 0,
    reason, impl: implName, conns: CONNS, bytesPerConn: BYTES_PER_CONN, seed: SEED,
    bytesSent: stats.bytesSent, bytesChecked: stats.bytesChecked, lost, corrupt: stats.corrupt,
    clientErrors: stats.errors.length, serverErrors: stats.serverErrors.length,
    firstErrors: stats.errors.slice(0, 5).concat(stats.serverErrors.slice(0, 5)),
    unfinished: unfinished.length,
    firstUnfinished: unfinished.slice(0, 5).map((c) => ({
      id: c.id, sent: c.sent, received: c.received, ended: c.ended, closed: c.closed, error: c.error,
      localPort: c.socket.localPort, flowing: c.socket.readableFlowing, readableLength: c.socket.readableLength,
      destroyed: c.socket.destroyed, readyState: c.socket.readyState,
      client: { bytesWritten: c.socket.bytesWritten, writableLength: c.socket.writableLength, writableFinished: c.socket.writableFinished },
      server: serverState(serverSockets.get(c.socket.localPort)),
    })),
    serverClosed: stats.serverClosed, seconds: (Date.now() - started) / 1000,
  };
  console.log(JSON.stringify(result));
  process.exit(result.ok ? 0 : 1);
}
function maybeFinish() {
  if (stats.closed === CONNS && stats.serverClosed === CONNS) server.close(() => report('done'));
}
setTimeout(() => report('timeout'), TIMEOUT_S * 1000).unref();
// The server side may close after the client side: check again until both are done.
const poll = setInterval(() => {
  if (stats.closed === CONNS) {
    if (stats.serverClosed === CONNS) { clearInterval(poll); maybeFinish(); }
  }
}, 200);

server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address();
  // Connect in waves so the backlog never overflows.
  for (let i = 0; i < CONNS; i += 200) {
    const wave = [];
    for (let j = i; j < Math.min(CONNS, i + 200); j++) wave.push(startClient(j, port));
    await Promise.all(wave);
  }
  const progress = setInterval(() => {
    process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0)} s] checked ${(stats.bytesChecked / 1e6).toFixed(0)} MB of ${(CONNS * BYTES_PER_CONN / 1e6).toFixed(0)}, clients closed ${stats.closed}, server closed ${stats.serverClosed}\n`);
  }, 10_000);
  progress.unref();
});
