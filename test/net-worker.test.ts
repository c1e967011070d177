// The implementation inside worker_threads: a server and clients in a worker,
// workers talking to the main thread, and a worker exiting with open handles.
import t from 'tap';
import { Worker } from 'node:worker_threads';
import { compare, listen, closeServer, once, Impl } from './impl';

/** Runs `body` (an async function body with `net` and `parentPort` in scope) in a worker. */
function inWorker(impl: Impl, body: string, workerData: unknown = null): Promise<{ messages: unknown[]; exitCode: number; error?: string }> {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const net = require(${JSON.stringify(impl.requirePath)});
    (async () => { ${body} })().catch((e) => { parentPort.postMessage({ error: String(e && e.stack || e) }); process.exit(1); });`;
  return new Promise((resolve) => {
    const messages: unknown[] = [];
    const worker = new Worker(source, { eval: true, workerData });
    let error: string | undefined;
    worker.on('message', (m) => messages.push(m));
    worker.on('error', (e) => (error = String(e)));
    worker.on('exit', (exitCode) => resolve({ messages, exitCode, error }));
  });
}

compare(t, 'echo server and clients inside a worker', async (_net, impl) => {
  const r = await inWorker(impl, `
    const server = net.createServer((s) => s.pipe(s));
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const port = server.address().port;
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => new Promise((resolve) => {
      const c = net.connect(port, '127.0.0.1');
      let text = '';
      c.setEncoding('utf8');
      c.on('data', (d) => (text += d));
      c.on('end', () => resolve(text));
      c.end('message ' + n);
    })));
    await new Promise((r) => server.close(r));
    parentPort.postMessage(results);`);
  return r;
}, (t, r) => t.strictSame(r, { messages: [['message 1', 'message 2', 'message 3', 'message 4', 'message 5']], exitCode: 0, error: undefined }));

compare(t, 'worker client talks to a main-thread server', async (net, impl) => {
  const server = net.createServer((s) => s.end('from main'));
  const port = await listen(server);
  const r = await inWorker(impl, `
    const c = net.connect(workerData.port, '127.0.0.1');
    let text = '';
    c.on('data', (d) => (text += d));
    await new Promise((resolve) => c.on('close', resolve));
    parentPort.postMessage(text);`, { port });
  await closeServer(server);
  return r;
}, (t, r) => t.strictSame(r, { messages: ['from main'], exitCode: 0, error: undefined }));

compare(t, 'worker exits with a listening server and open connection (terminate)', async (net, impl) => {
  const server = net.createServer((s) => { s.on('error', () => {}); s.resume(); });
  const port = await listen(server);
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const net = require(${JSON.stringify(impl.requirePath)});
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const c = net.connect(workerData.port, '127.0.0.1', () => parentPort.postMessage('ready'));
    });`;
  const worker = new Worker(source, { eval: true, workerData: { port } });
  const [message] = await once(worker, 'message');
  // Wait until the main-thread server has accepted the worker's connection.
  const count = () => new Promise<number>((resolve) => server.getConnections((_e, n) => resolve(n)));
  while ((await count()) < 1) await new Promise((r) => setTimeout(r, 5));
  const exitCode = await worker.terminate();
  // The worker's connection is torn down with it: the peer sees it close.
  while ((await count()) > 0) await new Promise((r) => setTimeout(r, 5));
  // The main thread keeps working after the worker's engine is gone.
  const c = net.connect(port, '127.0.0.1');
  await once(c, 'connect');
  c.destroy();
  await closeServer(server);
  return { message, exitCode };
}, (t, r) => t.strictSame(r, { message: 'ready', exitCode: 1 }));
