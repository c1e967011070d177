// createServer({ reusePort: true }) in worker_threads, each with its own
// engine, on one port (what bench scenario 10 runs): both threads get
// connections, and without reusePort the second listen fails with
// EADDRINUSE. (An iocp-net option, on every node: node 22.12 has reusePort
// on listen(), README.)
import t from 'tap';
import { Worker } from 'node:worker_threads';
import * as nodeNet from 'node:net';
import { iocpNetPath, collect } from './impl';

function listenInWorker(port: number, reusePort: boolean): Promise<{ worker: Worker; port?: number; error?: string }> {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const net = require(${JSON.stringify(iocpNetPath)});
    const { threadId } = require('node:worker_threads');
    const server = net.createServer({ reusePort: workerData.reusePort }, (c) => c.end(String(threadId)));
    server.on('error', (err) => parentPort.postMessage({ error: err.code + ' ' + err.syscall }));
    server.listen(workerData.port, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
    parentPort.on('message', () => server.close(() => parentPort.close()));`;
  const worker = new Worker(source, { eval: true, workerData: { port, reusePort } });
  return new Promise((resolve) => worker.once('message', (m) => resolve({ worker, ...m })));
}

t.test('two worker threads listen on one port with reusePort; both get connections', async (t) => {
  const first = await listenInWorker(0, true);
  t.type(first.port, 'number', first.error);
  const second = await listenInWorker(first.port!, true);
  t.equal(second.port, first.port, second.error);
  const without = await listenInWorker(first.port!, false);
  t.equal(without.error, 'EADDRINUSE listen', 'no reusePort: the port is taken');
  without.worker.terminate();
  const answers = await Promise.all(Array.from({ length: 40 }, async () => (await collect(nodeNet.connect(first.port!, '127.0.0.1'))).toString()));
  // The kernel hashes each connection's addresses to one listener: with 40
  // connections, one thread taking them all has a probability of 2^-39.
  t.equal(new Set(answers).size, 2, `answered by threads ${[...new Set(answers)].join(', ')}`);
  for (const { worker } of [first, second]) {
    worker.postMessage('close');
    await new Promise((resolve) => worker.once('exit', resolve));
  }
});
