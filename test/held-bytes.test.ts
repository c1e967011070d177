// What the process holds outside the kernel (rule 17 of docs/DESIGN.md):
// - writing to a peer that does not read, honouring write()'s return value,
//   everything the engine holds is counted in writableLength, and the bytes
//   whose callbacks already ran but are not in the kernel yet stay within
//   writableHighWaterMark;
// - 'data' chunks are never larger than node's (64 KiB), and a reader that
//   pauses gets no 'data' until it resumes.
import t from 'tap';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { compare, eachImpl, listen, closeServer, once, iocpNetPath, Socket } from './impl';

/** Bytes of writes completed early that the engine still holds (counted in writableLength on top of the stream's queue). */
function heldByEngine(s: Socket): number {
  return s.writableLength - (s as any)._writableState.length;
}

/** Bytes iocp-net's engine has accepted for `s` and not handed to the kernel. */
function engineQueued(s: Socket): number {
  const { getEngine } = require(path.join(path.dirname(iocpNetPath), 'engine.js'));
  const kHandle = Object.getOwnPropertySymbols(s).find((k) => k.description === 'kHandle')!;
  return getEngine().queuedBytes((s as any)[kHandle]);
}

/** A node:net server in another process that accepts and never reads; resolves with its port and a stop(). */
function nonReadingPeer(): Promise<{ port: number; stop: () => void }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', `
      require('node:net').createServer((s) => s.pause()).listen(0, '127.0.0.1', function () { console.log(this.address().port); });
      process.stdin.on('end', () => process.exit(0)); process.stdin.resume();`], { stdio: ['pipe', 'pipe', 'inherit'] });
    child.on('error', reject);
    child.stdout.once('data', (d) => resolve({ port: Number(String(d).trim()), stop: () => child.stdin.end() }));
  });
}

for (const size of [100, 4096, 16 * 1024, 64 * 1024]) {
  eachImpl(t, `writes of ${size} B to a peer that does not read: held bytes are counted and bounded`, async (t, net, impl) => {
    const peer = await nonReadingPeer();
    try {
      const socket = net.connect(peer.port, '127.0.0.1');
      await once(socket, 'connect');
      const chunk = Buffer.alloc(size, 'h');
      let written = 0;
      let calledBack = 0;
      let lastWrite = Date.now();
      const pump = () => {
        for (;;) {
          written += size;
          lastWrite = Date.now();
          if (!socket.write(chunk, () => (calledBack += size))) return;
        }
      };
      socket.on('drain', pump);
      pump();
      // Stalled: the kernel's buffers are full and no 'drain' came for a while.
      while (Date.now() - lastWrite < 500) await new Promise((r) => setTimeout(r, 100));
      const hwm = socket.writableHighWaterMark;
      t.equal(written - calledBack, (socket as any)._writableState.length, 'what the stream queued is what has no callback yet');
      t.ok(heldByEngine(socket) <= hwm, `bytes completed early and still held: ${heldByEngine(socket)} <= writableHighWaterMark ${hwm}`);
      t.equal(socket.bufferSize, socket.writableLength, 'bufferSize is writableLength');
      if (impl.name === 'iocp-net') {
        t.ok(engineQueued(socket) <= socket.writableLength, `the engine holds ${engineQueued(socket)} bytes, all counted in writableLength (${socket.writableLength})`);
      } else {
        t.equal(heldByEngine(socket), 0, 'node:net holds nothing beyond its stream queue');
      }
      socket.destroy();
      await once(socket, 'close');
    } finally {
      peer.stop();
    }
  }, 30_000);
}

compare(t, "'data' chunks are at most 64 KiB; a paused reader gets no 'data' until it resumes", async (net) => {
  let maxChunk = 0;
  let total = 0;
  let events = 0;
  let dataWhilePaused = 0;
  const server = net.createServer((s) => {
    s.on('data', (d: Buffer) => {
      if (s.isPaused()) dataWhilePaused++;
      events++;
      total += d.length;
      if (d.length > maxChunk) maxChunk = d.length;
      if (events % 3 === 0) {
        s.pause();
        setTimeout(() => s.resume(), 5);
      }
    });
    s.on('end', () => s.end());
  });
  const port = await listen(server);
  const client = net.connect(port, '127.0.0.1');
  await once(client, 'connect');
  const big = Buffer.alloc(1 << 20, 'd');
  for (let i = 0; i < 16; i++) client.write(big);
  client.end();
  client.resume();
  await once(client, 'close');
  await closeServer(server);
  return { total, atMost64KiB: maxChunk <= 64 * 1024, dataWhilePaused };
}, (t, r) => t.strictSame(r, { total: 16 << 20, atMost64KiB: true, dataWhilePaused: 0 }), 30_000);

// Code that waits for 'drain' whenever writableLength > 0 must not hang on
// bytes the engine holds for the end of the turn (node:net shows 0 there).
eachImpl(t, "writableLength > 0 after a small write: a 'drain' follows", async (t, net) => {
  const server = net.createServer((s) => s.resume());
  const port = await listen(server);
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let waited = 0;
  for (let i = 0; i < 50; i++) {
    t.equal(socket.write(`message ${i}\n`), true);
    if (socket.writableLength > 0) {
      waited++;
      await once(socket, 'drain');
    }
  }
  t.comment(`waited for 'drain' ${waited} times`);
  socket.destroy();
  await closeServer(server);
});
