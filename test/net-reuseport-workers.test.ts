// createServer({ reusePort: true }) in worker_threads, each with its own
// engine, on one port (what bench scenario 10 runs): both threads get
// connections, and without reusePort the second listen fails with
// EADDRINUSE. (An iocp-net option, on every node: node 22.12 has reusePort
// on listen(), README.)
import t from 'tap';
import { Worker } from 'node:worker_threads';
import * as nodeNet from 'node:net';
import * as util from 'node:util';
import { iocpNetPath, collect } from './impl';

interface Listened {
  worker: Worker;
  port?: number;
  error?: string;
  detail?: { code: string; errno: number; syscall: string; message: string; address: string; port?: number };
}

function listenInWorker(port: number, reusePort: boolean): Promise<Listened> {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const net = require(${JSON.stringify(iocpNetPath)});
    const { threadId } = require('node:worker_threads');
    const server = net.createServer({ reusePort: workerData.reusePort }, (c) => c.end(String(threadId)));
    server.on('error', (err) => parentPort.postMessage({ error: err.code + ' ' + err.syscall,
      detail: { code: err.code, errno: err.errno, syscall: err.syscall, message: err.message, address: err.address, port: err.port } }));
    server.listen(workerData.port, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
    parentPort.on('message', () => server.close(() => parentPort.close()));`;
  const worker = new Worker(source, { eval: true, workerData: { port, reusePort } });
  return new Promise((resolve) => worker.once('message', (m) => resolve({ worker, ...m })));
}

if (process.platform === 'win32') {
  // Windows has no listeners that share a port's connections (SO_REUSEADDR
  // there lets a second socket take the port over, which is not the same,
  // and is not used): the engine refuses reuse_port with UV_ENOTSUP, and
  // listen() reports it as node's setupListenHandle builds a listen error
  // (UVExceptionWithHostPort: no port in the message when it is 0). README,
  // Windows. Listeners without reusePort are unaffected.
  t.test('win32: listen with reusePort fails with ENOTSUP; without it the port is taken once', async (t) => {
    const errno = [...util.getSystemErrorMap()].find(([, [name]]) => name === 'ENOTSUP')![0];
    const uvmsg = util.getSystemErrorMap().get(errno)![1];
    const first = await listenInWorker(0, true);
    t.strictSame(first.detail, { code: 'ENOTSUP', errno, syscall: 'listen', message: `listen ENOTSUP: ${uvmsg} 127.0.0.1`, address: '127.0.0.1', port: undefined },
      'win32: reusePort is not supported (the Linux behaviour, two listeners on one port, does not exist there)');
    first.worker.terminate();
    const plain = await listenInWorker(0, false);
    t.type(plain.port, 'number', plain.error);
    const taken = await listenInWorker(plain.port!, false);
    t.equal(taken.error, 'EADDRINUSE listen', 'no reusePort: the port is taken');
    taken.worker.terminate();
    t.equal((await collect(nodeNet.connect(plain.port!, '127.0.0.1'))).toString(), String(plain.worker.threadId));
    plain.worker.postMessage('close');
    await new Promise((resolve) => plain.worker.once('exit', resolve));
  });
} else t.test('two worker threads listen on one port with reusePort; both get connections', async (t) => {
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
