// Load: 1,000 concurrent echo connections with checksums, and a slow reader
// whose backpressure must reach the sender (bounded memory, no data lost).
import t from 'tap';
import { createHash, randomBytes } from 'node:crypto';
import { compare, closeServer, once, delay, Net, Server } from './impl';

const CONNECTIONS = 1000;

async function listenBacklog(server: Server, backlog: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', backlog, () => resolve());
  });
  return (server.address() as import('node:net').AddressInfo).port;
}

compare(t, `${CONNECTIONS} concurrent echo connections with checksums`, async (net: Net) => {
  let accepted = 0;
  const server = net.createServer((s) => {
    accepted++;
    s.on('error', () => {});
    s.pipe(s);
  });
  const port = await listenBacklog(server, 2048);
  const one = (i: number) => new Promise<{ ok: boolean; bytes: number; error?: string }>((resolve) => {
    // Sizes vary so that some connections need several reads and writes.
    const payload = randomBytes(1024 + (i % 16) * 4096);
    const expected = createHash('sha1').update(payload).digest('hex');
    const hash = createHash('sha1');
    let bytes = 0;
    const c = net.connect(port, '127.0.0.1');
    c.on('data', (d) => { hash.update(d); bytes += d.length; });
    c.on('error', (e: any) => resolve({ ok: false, bytes, error: e.code }));
    c.on('end', () => resolve({ ok: hash.digest('hex') === expected && bytes === payload.length, bytes }));
    // Three writes: the first part, then the rest in two pieces.
    const a = payload.subarray(0, 100);
    const b = payload.subarray(100, 600);
    const rest = payload.subarray(600);
    c.write(a);
    c.write(b);
    c.end(rest);
  });
  const started = Date.now();
  const results = await Promise.all(Array.from({ length: CONNECTIONS }, (_, i) => one(i)));
  const ms = Date.now() - started;
  await closeServer(server);
  const failures = results.filter((r) => !r.ok);
  t.comment(`${CONNECTIONS} echo connections in ${ms} ms`);
  return {
    connections: results.length,
    accepted,
    allChecksumsMatch: failures.length === 0,
    failures: failures.slice(0, 5),
    totalBytes: results.reduce((n, r) => n + r.bytes, 0),
  };
}, (t, r) => {
  t.equal(r.connections, CONNECTIONS);
  t.equal(r.accepted, CONNECTIONS);
  t.equal(r.allChecksumsMatch, true);
  let expectedBytes = 0;
  for (let i = 0; i < CONNECTIONS; i++) expectedBytes += 1024 + (i % 16) * 4096;
  t.equal(r.totalBytes, expectedBytes);
}, 25_000);

compare(t, 'slow reader: backpressure reaches the sender, memory bounded, nothing lost', async (net: Net) => {
  const TOTAL = 32 << 20;
  const CHUNK = 64 << 10;
  let reader: any;
  const server = net.createServer((s) => { reader = s; s.pause(); });
  const port = await listenBacklog(server, 16);
  const sender = net.connect(port, '127.0.0.1');
  await once(sender, 'connect');
  while (!reader) await delay(1);

  // The sender honours backpressure: write until write() returns false, then wait for 'drain'.
  const sendHash = createHash('sha1');
  let sent = 0;
  let maxSenderQueued = 0;
  let drains = 0;
  const sending = (async () => {
    let seq = 0;
    while (sent < TOTAL) {
      const chunk = Buffer.alloc(CHUNK, seq++ & 0xff);
      sendHash.update(chunk);
      sent += chunk.length;
      const more = sender.write(chunk);
      maxSenderQueued = Math.max(maxSenderQueued, sender.writableLength);
      if (!more) { await once(sender, 'drain'); drains++; }
    }
    sender.end();
  })();

  // Phase 1: the reader stays paused; the sender must stall.
  await delay(300);
  const sentAtPause1 = sent;
  const readerBuffered1 = reader.readableLength;
  const readerBytesRead1 = reader.bytesRead;
  await delay(300);
  const sentAtPause2 = sent;
  const readerBuffered2 = reader.readableLength;
  const readerBytesRead2 = reader.bytesRead;
  const senderBufferSizeWhilePaused = (sender as any).bufferSize;

  // Phase 2: the reader consumes slowly (pause 5 ms after each chunk), then at full speed.
  const recvHash = createHash('sha1');
  let received = 0;
  reader.on('data', (d: Buffer) => {
    recvHash.update(d);
    received += d.length;
    if (received < TOTAL / 4) {
      reader.pause();
      setTimeout(() => reader.resume(), 5);
    }
  });
  reader.resume();
  await once(reader, 'end');
  await sending;
  reader.end();
  await once(sender, 'close');
  await closeServer(server);

  return {
    senderStalled: sentAtPause1 === sentAtPause2 && sentAtPause1 < TOTAL,
    // The sender's own queue never held more than its high-water mark plus one chunk.
    senderQueueBounded: maxSenderQueued <= sender.writableHighWaterMark + CHUNK,
    senderBufferSizeBounded: senderBufferSizeWhilePaused <= sender.writableHighWaterMark + CHUNK,
    // The paused reader does not keep reading from the kernel into memory.
    readerBufferBounded: readerBuffered1 === readerBuffered2 && readerBuffered2 <= 1 << 20,
    readerStoppedReading: readerBytesRead1 === readerBytesRead2 && readerBytesRead2 <= 1 << 20,
    drained: drains > 0,
    allDelivered: received === TOTAL,
    checksumsMatch: sendHash.digest('hex') === recvHash.digest('hex'),
  };
}, (t, r) => t.strictSame(r, {
  senderStalled: true, senderQueueBounded: true, senderBufferSizeBounded: true, readerBufferBounded: true,
  readerStoppedReading: true, drained: true, allDelivered: true, checksumsMatch: true,
}), 25_000);

compare(t, 'abrupt closes mid-transfer do not disturb other connections', async (net: Net) => {
  const server = net.createServer((s) => { s.on('error', () => {}); s.pipe(s); });
  const port = await listenBacklog(server, 1024);
  const N = 200;
  const one = (i: number) => new Promise<string>((resolve) => {
    const payload = randomBytes(64 * 1024 + i);
    const expected = createHash('sha1').update(payload).digest('hex');
    const hash = createHash('sha1');
    let bytes = 0;
    const c = net.connect(port, '127.0.0.1');
    c.on('error', () => {});
    const victim = i % 2 === 1;
    c.on('data', (d) => {
      hash.update(d);
      bytes += d.length;
      // Victims vanish mid-transfer, alternately by destroy() and by RST.
      if (victim && bytes > 1000 && !c.destroyed) {
        if (i % 4 === 1) c.destroy(); else (c as any).resetAndDestroy();
      }
    });
    c.on('close', () => {
      if (victim) resolve('victim closed');
      else resolve(bytes === payload.length && hash.digest('hex') === expected ? 'intact' : `corrupt ${bytes}`);
    });
    c.write(payload.subarray(0, 5000));
    c.end(payload.subarray(5000));
  });
  const results = await Promise.all(Array.from({ length: N }, (_, i) => one(i)));
  // The server still serves new connections afterwards.
  const after = await new Promise<string>((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    let text = '';
    c.on('data', (d) => (text += d));
    c.on('end', () => resolve(text));
    c.end('still alive');
  });
  await closeServer(server);
  const counts: Record<string, number> = {};
  for (const r of results) counts[r] = (counts[r] ?? 0) + 1;
  return { counts, after };
}, (t, r) => t.strictSame(r, { counts: { intact: 100, 'victim closed': 100 }, after: 'still alive' }), 25_000);
