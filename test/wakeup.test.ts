// Lost wake-ups through the whole package (rule 15 of docs/DESIGN.md): the
// peer is another process that idles between messages, so nothing else can
// wake this process's loop when a reply arrives. In-process peers and busy
// benchmarks always have something else waking the loop and hide this.
//
// Normal round trips on loopback take ~0.1 ms. Two assertions, each a
// detector with a wide margin rather than a speed target:
// - no round trip over 1 s (a wake-up lost for good),
// - median under 5 ms (a wake-up that comes late on most round trips: the
//   io_uring DEFER_TASKRUN eventfd, signalled through RCU on Linux 6.18, made
//   every idle round trip wait 8-32 ms).
import t from 'tap';
import type { Test } from 'tap';
import { spawn } from 'node:child_process';
import { eachImpl, impls, listen, closeServer, once, isWine, Impl, Net } from './impl';

// 100 ms was the first bound; on a loaded 2-core CI machine (load average 15)
// node:net's own worst round trip reached 137 ms. A wake-up lost for good
// never comes, and the late ones show in the median: 1 s still has a 10,000x
// margin over the normal ~0.1 ms. Under Wine every completion and wake-up is
// also a round trip through the wineserver, another process: node.exe's own
// median went past 5 ms there; late wake-ups (8-32 ms each) still show at 15.
const LOST_MS = 1000;
const LATE_MEDIAN_MS = isWine ? 15 : 5;

function checkRoundTrips(t: Test, what: string, times: number[]): void {
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1];
  const worst = sorted[sorted.length - 1];
  t.comment(`${what}: ${times.length} round trips, median ${median.toFixed(3)} ms, worst ${worst.toFixed(3)} ms`);
  t.ok(times.length > 0, `${what}: measured`);
  t.ok(worst < LOST_MS, `${what}: no round trip over ${LOST_MS} ms (worst ${worst.toFixed(1)} ms)`);
  t.ok(median < LATE_MEDIAN_MS, `${what}: median under ${LATE_MEDIAN_MS} ms (${median.toFixed(3)} ms)`);
}

/** A node child running `body` with `net` = the implementation; its stdout lines arrive as JSON messages. */
function peer(impl: Impl, body: string): { messages: AsyncIterableIterator<any>; stop: () => void; exited: Promise<number | null> } {
  const script = `const net = require(${JSON.stringify(impl.requirePath)});
    const send = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
    process.stdin.on('end', () => process.exit(0)); process.stdin.resume();
    ${body}`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const queue: any[] = [];
  const waiters: ((m: IteratorResult<any>) => void)[] = [];
  let pending = '';
  let done = false;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    pending += d;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      const m = JSON.parse(line);
      const w = waiters.shift();
      if (w) w({ value: m, done: false });
      else queue.push(m);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => {
    done = true;
    for (const w of waiters.splice(0)) w({ value: undefined, done: true });
    resolve(code);
  }));
  const messages: AsyncIterableIterator<any> = {
    next: () => queue.length ? Promise.resolve({ value: queue.shift(), done: false })
      : done ? Promise.resolve({ value: undefined, done: true }) : new Promise((r) => waiters.push(r)),
    [Symbol.asyncIterator]() { return this; },
  };
  return { messages, stop: () => child.stdin.end(), exited };
}

async function nextMessage(messages: AsyncIterableIterator<any>): Promise<any> {
  const r = await messages.next();
  if (r.done) throw new Error('peer exited early');
  return r.value;
}

/** `count` sequential round trips of 64 bytes on `socket`, with idle pauses; times in ms. */
async function roundTrips(socket: import('node:net').Socket, count: number): Promise<number[]> {
  const times: number[] = [];
  const message = Buffer.alloc(64, 'p');
  for (let i = 0; i < count; i++) {
    if (i % 25 === 24) await new Promise((r) => setTimeout(r, 20)); // idle, so nothing is in flight
    const start = process.hrtime.bigint();
    let got = 0;
    await new Promise<void>((resolve, reject) => {
      const onData = (d: Buffer) => {
        got += d.length;
        if (got >= message.length) {
          socket.off('data', onData);
          socket.off('error', reject);
          resolve();
        }
      };
      socket.on('data', onData);
      socket.once('error', reject);
      socket.write(message);
    });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times;
}

// Servers in another process: node:net's, and iocp-net's (both ends ours).
const serverImpls = impls.filter((i) => i.net !== null);
for (const serverImpl of serverImpls) {
  eachImpl(t, `client round trips, ${serverImpl.name} echo server in another process`, async (t, net) => {
    const server = peer(serverImpl, `
      const s = net.createServer({ noDelay: true }, (c) => c.pipe(c));
      s.listen(0, '127.0.0.1', () => send({ port: s.address().port }));`);
    try {
      const { port } = await nextMessage(server.messages);
      for (const conns of [1, 8]) {
        const sockets = await Promise.all(Array.from({ length: conns }, async () => {
          const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
          await once(socket, 'connect');
          return socket;
        }));
        // The connections take turns, so each round trip has an idle peer.
        const times: number[] = [];
        for (let round = 0; round < 200 / conns; round++) {
          for (const socket of sockets) times.push(...await roundTrips(socket, 1));
        }
        checkRoundTrips(t, `${conns} connection(s)`, times);
        for (const socket of sockets) socket.destroy();
      }
    } finally {
      server.stop();
      await server.exited;
    }
  }, 60_000);
}

// This process serves; a node:net client in another process measures: it
// connects after an idle pause (the accept and first byte must wake an idle
// loop), then makes sequential round trips with pauses.
eachImpl(t, 'server: accept after a pause and round trips, client in another process', async (t, net: Net) => {
  const server = net.createServer({ noDelay: true }, (c) => c.pipe(c));
  const port = await listen(server);
  const client = peer(impls[0], `
    (async () => {
      const times = [];
      for (let conn = 0; conn < 4; conn++) {
        await new Promise((r) => setTimeout(r, 150));
        let start = process.hrtime.bigint();
        const c = net.connect({ port: ${port}, host: '127.0.0.1', noDelay: true });
        const rt = (msg) => new Promise((resolve) => {
          let got = 0;
          const onData = (d) => { got += d.length; if (got >= msg.length) { c.off('data', onData); resolve(); } };
          c.on('data', onData);
          c.write(msg);
        });
        const message = Buffer.alloc(64, 'q');
        await rt(message); // connect + accept + first byte + echo
        times.push(Number(process.hrtime.bigint() - start) / 1e6);
        for (let i = 0; i < 50; i++) {
          if (i % 10 === 9) await new Promise((r) => setTimeout(r, 20));
          start = process.hrtime.bigint();
          await rt(message);
          times.push(Number(process.hrtime.bigint() - start) / 1e6);
        }
        c.destroy();
      }
      send({ times });
    })();`);
  try {
    const { times } = await nextMessage(client.messages);
    checkRoundTrips(t, 'measured by the peer', times);
  } finally {
    client.stop();
    await client.exited;
    await closeServer(server);
  }
}, 60_000);
