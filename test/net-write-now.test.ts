// A small write made in a 'data' listener reaches the kernel before write()
// returns, as node's does (uv_try_write): the reply does not wait for the
// rest of the listener, of the event batch or of the loop turn. The peer is
// another process and the listener blocks after writing, so the only way the
// reply can arrive during the block is a send made inside write().
// (What this buys: the server's part of a sequential round trip, see
// bench/RESULTS.md, scenario 8.)
import t from 'tap';
import { spawn } from 'node:child_process';
import { compare, listen, closeServer } from './impl';

const BLOCK_MS = 1000;
// A reply sent at once arrives in ~0.1 ms; one sent after the block, after
// BLOCK_MS. Half of it leaves room for a loaded CI machine (and for Wine,
// where every socket call is a round trip through the wineserver).
const LATE_MS = BLOCK_MS / 2;

/** A node:net client in another process: sends `ping`, reports how long the first reply took. */
function timedPing(port: number): Promise<{ ms: number; reply: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', `
      const s = require('node:net').connect(${port}, '127.0.0.1', () => {
        const start = process.hrtime.bigint();
        s.once('data', (d) => {
          console.log(JSON.stringify({ ms: Number(process.hrtime.bigint() - start) / 1e6, reply: String(d) }));
          s.destroy();
        });
        s.write('ping');
      });`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', () => {
      try {
        resolve(JSON.parse(out));
      } catch (err) {
        reject(err);
      }
    });
  });
}

compare(t, "a reply written in 'data' is sent before write() returns", async (net) => {
  let lengthAfterWrite = -1;
  const server = net.createServer((socket) => {
    socket.once('data', () => {
      socket.write('pong');
      lengthAfterWrite = socket.writableLength;
      const until = Date.now() + BLOCK_MS;
      while (Date.now() < until);  // the listener keeps the thread
      socket.end();
    });
  });
  const port = await listen(server);
  const { ms, reply } = await timedPing(port);
  await closeServer(server);
  return { reply, beforeTheBlockEnded: ms < LATE_MS, lengthAfterWrite };
}, (t, r) => t.strictSame(r, { reply: 'pong', beforeTheBlockEnded: true, lengthAfterWrite: 0 }), 15_000);

// The turn's later small writes still gather into one send (rule 1): the
// peer gets them whole, in order, and the first of the next turn goes at once.
compare(t, "writes after the first in one 'data' listener arrive whole and in order", async (net) => {
  const server = net.createServer((socket) => {
    socket.once('data', () => {
      for (let i = 0; i < 100; i++) socket.write(`${i};`);
      socket.end();
    });
  });
  const port = await listen(server);
  const received = await new Promise<string>((resolve, reject) => {
    const client = net.connect(port, '127.0.0.1', () => client.write('go'));
    let text = '';
    client.setEncoding('utf8');
    client.on('data', (d) => (text += d));
    client.on('end', () => resolve(text));
    client.on('error', reject);
  });
  await closeServer(server);
  return received;
}, (t, r) => t.equal(r, Array.from({ length: 100 }, (_, i) => `${i};`).join('')));

