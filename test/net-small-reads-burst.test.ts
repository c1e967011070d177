// Many small reads in one batch: 200 connections each send 3,000 bytes at
// the same moment, while the server's loop is busy, so the next loop turn
// finds them all waiting and one batch takes every read. iocp-net copies
// reads under 4 KiB back to back into one staging ArrayBuffer (64 KiB at
// first) that JS copies each chunk out of (src/receive_buffers.h): 600 KB of
// small reads make it grow four times within one batch, keeping what the
// batch had staged. Every socket must get exactly its own bytes.
import t from 'tap';
import * as nodeNet from 'node:net';
import { eachImpl, listen, closeServer, once } from './impl';
import type { Socket } from './impl';

const CONNECTIONS = 200;
const SIZE = 3000;

function bytesOf(index: number): Buffer {
  const out = Buffer.alloc(SIZE);
  for (let i = 0; i < SIZE; i++) out[i] = (index * 31 + i * 7 + (i >> 8)) & 0xff;
  return out;
}

eachImpl(t, 'a burst of small reads on many connections reaches each socket intact', async (t, net) => {
  const received = new Map<number, Buffer>();
  const ended: Promise<void>[] = [];
  const server = net.createServer((socket) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    ended.push(new Promise((resolve, reject) => {
      socket.on('error', reject);
      socket.on('end', () => {
        const all = Buffer.concat(chunks);
        received.set(all.readUInt16BE(0), all);  // the first two bytes name the connection
        socket.end();
        resolve();
      });
    }));
  });
  const port = await listen(server);
  const clients: Socket[] = [];
  for (let i = 0; i < CONNECTIONS; i++) {
    const client = nodeNet.connect(port, '127.0.0.1');
    client.resume();
    clients.push(client);
  }
  await Promise.all(clients.map((c) => once(c, 'connect')));
  while (ended.length < CONNECTIONS) await new Promise((resolve) => setImmediate(resolve));

  clients.forEach((client, index) => {
    const data = bytesOf(index);
    data.writeUInt16BE(index, 0);
    client.end(data);
  });
  // Keep the loop busy while the bytes arrive: the server's next turn then
  // reads them all in one go.
  const until = Date.now() + 100;
  while (Date.now() < until) { /* busy */ }

  await Promise.all(ended);
  let intact = 0;
  for (let index = 0; index < CONNECTIONS; index++) {
    const expected = bytesOf(index);
    expected.writeUInt16BE(index, 0);
    if (received.get(index)?.equals(expected)) intact++;
  }
  t.equal(intact, CONNECTIONS, `every connection's ${SIZE} bytes arrived intact`);
  await Promise.all(clients.map((c) => (c.destroyed ? Promise.resolve() : once(c, 'close'))));
  await closeServer(server);
}, 30_000);
