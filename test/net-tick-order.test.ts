// node:net runs each socket's read in its own callback scope, so the
// process.nextTick callbacks and the promise reactions a 'data' handler
// leaves run before the next socket's 'data'. iocp-net hands a whole batch
// of reads to JS in one call; it must run them between events too. Eight
// connections send a byte each while the server's loop is busy, so the
// next loop turn finds all eight reads waiting (one batch on iocp-net).
import t from 'tap';
import * as nodeNet from 'node:net';
import { eachImpl, listen, closeServer, once } from './impl';
import type { Socket } from './impl';

const CONNECTIONS = 8;

eachImpl(t, "a 'data' handler's ticks and promises run before the next socket's 'data'", async (t, net) => {
  const log: string[] = [];
  const accepted: Socket[] = [];
  let settled = 0;
  let markSettled!: () => void;
  const everySettled = new Promise<void>((resolve) => { markSettled = resolve; });
  const server = net.createServer((socket) => {
    const id = accepted.push(socket) - 1;
    socket.on('data', () => {
      log.push(`data ${id}`);
      process.nextTick(() => log.push(`tick ${id}`));
      void Promise.resolve().then(() => {
        log.push(`promise ${id}`);
        if (++settled === CONNECTIONS) markSettled();
      });
    });
  });
  const port = await listen(server);
  const clients: nodeNet.Socket[] = [];
  for (let i = 0; i < CONNECTIONS; i++) clients.push(nodeNet.connect(port, '127.0.0.1'));
  await Promise.all(clients.map((c) => once(c, 'connect')));
  while (accepted.length < CONNECTIONS) await new Promise((resolve) => setImmediate(resolve));

  for (const client of clients) client.write('x');
  // Keep the loop busy while the bytes arrive: its next turn reads all eight.
  const until = Date.now() + 50;
  while (Date.now() < until) { /* busy */ }
  await everySettled;

  const expected: string[] = [];
  for (const entry of log.filter((line) => line.startsWith('data'))) {
    const id = entry.slice(5);
    expected.push(`data ${id}`, `tick ${id}`, `promise ${id}`);
  }
  t.same(log, expected, 'each socket: data, then its tick, then its promise, before the next socket');
  t.equal(log.length, 3 * CONNECTIONS);
  for (const client of clients) client.destroy();
  await closeServer(server);
});
