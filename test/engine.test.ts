// The bridge (src/) seen from JS through lib/engine.ts: batched events, write
// callbacks and pins, one engine per thread, and the loop's liveness.
// Needs the compiled addon (npm install / node-gyp rebuild).
import t from 'tap';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { getEngine, CloseMode } from '../lib/engine';
import type { Engine, HandleOwner } from '../lib/engine';
import type { Test } from 'tap';
import { uvErrno } from './impl';

const UV_EBADF = uvErrno('EBADF');
const enginePath = path.join(__dirname, '..', 'lib', 'engine.ts');

// Workers and child processes load the same lib/engine.ts without the test
// runner's TypeScript hooks (slow to start, and not inherited by workers): it
// is transpiled once here, and compiled there as if it were lib/engine.ts
// (so it finds the addon from lib/, as the real file does).
const engineJsPath = path.join(os.tmpdir(), `iocp-net-engine-test-${process.pid}.js`);
{
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const ts = require('typescript') as typeof import('typescript');
  const out = ts.transpileModule(fs.readFileSync(enginePath, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    fileName: enginePath,
  });
  fs.writeFileSync(engineJsPath, out.outputText);
  t.teardown(() => fs.rmSync(engineJsPath, { force: true }));
}
const loadEngineJs = `
  const { getEngine } = (() => {
    const Module = require('node:module');
    const m = new Module(${JSON.stringify(enginePath)}, null);
    m.filename = ${JSON.stringify(enginePath)};
    m.paths = Module._nodeModulePaths(${JSON.stringify(path.dirname(enginePath))});
    m._compile(require('node:fs').readFileSync(${JSON.stringify(engineJsPath)}, 'utf8'), ${JSON.stringify(enginePath)});
    return m.exports;
  })();
`;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function sha256(chunks: Buffer[]): string {
  const hash = crypto.createHash('sha256');
  for (const chunk of chunks) hash.update(chunk);
  return hash.digest('hex');
}

interface EchoServer {
  port: number;
  /** sha256 and byte count of what each accepted connection received, in close order. */
  received: Array<{ bytes: number; sha256: string }>;
  /** Resolves once the listener and every accepted connection got their one onClose. */
  close(): Promise<void>;
}

// An echo server on the engine: every accepted connection writes back what it
// reads, and closes gracefully (queued writes, FIN, close) at the peer's FIN.
function startEchoServer(t: Test, engine: Engine, backlog = 511): EchoServer {
  const listener = engine.listenTcp('127.0.0.1', 0, backlog, false);
  t.ok(listener > 0, 'listenTcp returns a handle');
  const address: { port?: number } = {};
  t.equal(engine.sockname(listener, address), 0, 'sockname of the listener');
  const received: EchoServer['received'] = [];
  let open = 1;
  let allClosed: () => void;
  const closed = new Promise<void>((resolve) => (allClosed = resolve));
  const closedOne = () => {
    if (--open === 0) allClosed();
  };
  engine.setOwner(listener, {
    onConnection(status, peer) {
      if (status !== 0) throw new Error(`accept failed: ${status}`);
      open++;
      const hash = crypto.createHash('sha256');
      let bytes = 0;
      let closes = 0;
      engine.setOwner(peer, {
        onData(data) {
          hash.update(data);
          bytes += data.length;
          const rc = engine.writev(peer, [data], null, (status) => {
            if (status !== 0) throw new Error(`server write failed: ${status}`);
          });
          if (rc !== 0 && rc !== engine.writtenNow) throw new Error(`server writev: ${rc}`);
        },
        onEnd() {
          received.push({ bytes, sha256: hash.digest('hex') });
          engine.close(peer, CloseMode.Graceful);
        },
        onReadError(status) {
          throw new Error(`server read error ${status}`);
        },
        onClose() {
          if (++closes !== 1) throw new Error('onClose twice');
          closedOne();
        },
      });
      const rc = engine.readStart(peer);
      if (rc !== 0) throw new Error(`server readStart: ${rc}`);
    },
    onClose: closedOne,
  });
  return {
    port: address.port!,
    received,
    close() {
      engine.close(listener, CloseMode.Abort);
      return closed;
    },
  };
}

interface EchoResult {
  bytes: number;
  sha256: string;
  writeStatuses: number[];
  closes: number;
}

interface Write {
  chunks: Array<Buffer | string>;
  encodings?: BufferEncoding[];
}

// Connects, sends `writes` (one writev each), FINs, reads the echo to its end
// and closes. Resolves at the client's onClose.
function echoClient(engine: Engine, port: number, writes: Write[]): Promise<EchoResult> {
  return new Promise((resolve, reject) => {
    const handle = engine.connectTcp('127.0.0.1', port);
    if (handle < 0) {
      reject(new Error(`connectTcp: ${handle}`));
      return;
    }
    const hash = crypto.createHash('sha256');
    const result: EchoResult = { bytes: 0, sha256: '', writeStatuses: [], closes: 0 };
    const owner: HandleOwner = {
      onConnect(status) {
        if (status !== 0) {
          reject(new Error(`connect failed: ${status}`));
          engine.close(handle, CloseMode.Abort);
          return;
        }
        let rc = engine.readStart(handle);
        if (rc !== 0) reject(new Error(`readStart: ${rc}`));
        for (const write of writes) {
          rc = engine.writev(handle, write.chunks, write.encodings ?? null, (status) => result.writeStatuses.push(status));
          // Written at once (a large write on an idle socket): no callback follows.
          if (rc === engine.writtenNow) result.writeStatuses.push(0);
          else if (rc !== 0) reject(new Error(`writev: ${rc}`));
        }
        rc = engine.shutdown(handle);
        if (rc !== 0) reject(new Error(`shutdown: ${rc}`));
      },
      onData(data) {
        hash.update(data);
        result.bytes += data.length;
      },
      onEnd() {
        result.sha256 = hash.digest('hex');
        engine.close(handle, CloseMode.Graceful);
      },
      onReadError(status) {
        reject(new Error(`client read error ${status}`));
      },
      onClose() {
        result.closes++;
        // Let a (wrong) second onClose of this batch show up before resolving.
        setImmediate(() => resolve(result));
      },
    };
    engine.setOwner(handle, owner);
  });
}

t.test('echo through the bridge', async (t) => {
  const engine = getEngine();
  t.equal(typeof engine.backend, 'string');
  const server = startEchoServer(t, engine);
  const result = await withTimeout(echoClient(engine, server.port, [{ chunks: ['hello, ', Buffer.from('engine')] }]), 10_000, 'echo');
  t.equal(result.bytes, 13);
  t.equal(result.sha256, sha256([Buffer.from('hello, engine')]));
  t.same(result.writeStatuses, [0], 'the write callback ran once, with status 0');
  t.equal(result.closes, 1, 'onClose once');
  await withTimeout(server.close(), 10_000, 'server close');
  t.same(server.received, [{ bytes: 13, sha256: result.sha256 }]);
});

t.test('addresses: IPv4, IPv6, Unix socket', async (t) => {
  const engine = getEngine();
  const v4 = startEchoServer(t, engine);
  const out: Record<string, unknown> = {};
  const client = engine.connectTcp('127.0.0.1', v4.port);
  const connected = new Promise<number>((resolve) => engine.setOwner(client, { onConnect: resolve, onClose: () => {} }));
  t.equal(await withTimeout(connected, 10_000, 'connect'), 0);
  t.equal(engine.peername(client, out), 0);
  t.same(out, { address: '127.0.0.1', family: 'IPv4', port: v4.port });
  const local: Record<string, unknown> = {};
  t.equal(engine.sockname(client, local), 0);
  t.equal(local.family, 'IPv4');
  t.ok((local.port as number) > 0);
  engine.close(client, CloseMode.Abort);
  await withTimeout(v4.close(), 10_000, 'close');

  const v6 = engine.listenTcp('::1', 0, 511, true);
  if (v6 < 0) {
    t.comment(`no IPv6 loopback here (${v6}): IPv6 address check not run`);
  } else {
    const a6: Record<string, unknown> = {};
    t.equal(engine.sockname(v6, a6), 0);
    t.equal(a6.address, '::1');
    t.equal(a6.family, 'IPv6');
    engine.close(v6, CloseMode.Abort);
  }

  // A Unix socket, or on Windows a named pipe (what a `path` is there).
  const pipePath = process.platform === 'win32'
    ? `\\\\.\\pipe\\iocp-net-engine-${process.pid}`
    : path.join(require('node:os').tmpdir(), `iocp-net-engine-${process.pid}.sock`);
  const listener = engine.listenPipe(pipePath, 511);
  t.ok(listener > 0, 'listenPipe');
  const pipeAddress: Record<string, unknown> = {};
  t.equal(engine.sockname(listener, pipeAddress), 0);
  t.same(pipeAddress, { address: pipePath }, 'a Unix socket reports {address: path}');
  let accepted = 0;
  engine.setOwner(listener, {
    onConnection(status, peer) {
      accepted = peer;
      engine.setOwner(peer, {
        onData(data) {
          engine.writev(peer, [data], null, () => {});
        },
        onEnd() {
          engine.close(peer, CloseMode.Graceful);
        },
      });
      engine.readStart(peer);
    },
  });
  const pipeClient = engine.connectPipe(pipePath);
  t.ok(pipeClient > 0, 'connectPipe');
  const echoed = new Promise<string>((resolve, reject) => {
    let text = '';
    engine.setOwner(pipeClient, {
      onConnect(status) {
        if (status !== 0) return reject(new Error(`pipe connect ${status}`));
        engine.readStart(pipeClient);
        engine.writev(pipeClient, ['ping over a pipe'], ['utf8'], () => {});
        engine.shutdown(pipeClient);
      },
      onData(data) {
        text += data.toString();
      },
      onEnd() {
        engine.close(pipeClient, CloseMode.Graceful);
      },
      onClose() {
        resolve(text);
      },
    });
  });
  t.equal(await withTimeout(echoed, 10_000, 'pipe echo'), 'ping over a pipe');
  t.ok(accepted > 0);
  engine.close(listener, CloseMode.Abort);
});

t.test('16 MiB each way, sha256 on both sides', async (t) => {
  const engine = getEngine();
  const server = startEchoServer(t, engine);
  const total = 16 * 1024 * 1024;
  const payload = crypto.randomBytes(total);
  // Mixed writes: large Buffers (lent to the kernel and pinned), small ones
  // (copied), views into a larger buffer, and strings in several encodings,
  // some large enough to be encoded into memory the write owns.
  const writes: Write[] = [];
  let offset = 0;
  let sent: Buffer[] = [];
  const sizes = [1 << 20, 100, 64 * 1024, 16 * 1024 - 1, 16 * 1024, 3, 300 * 1024];
  for (let i = 0; offset < total; i++) {
    const size = Math.min(sizes[i % sizes.length], total - offset);
    const piece = payload.subarray(offset, offset + size);
    offset += size;
    switch (i % 6) {
      case 1: // two chunks in one writev: a string (utf8, the default) and a Buffer
        writes.push({ chunks: [piece.toString('latin1'), piece] });
        sent.push(Buffer.from(piece.toString('latin1'), 'utf8'), piece);
        break;
      case 3:
        writes.push({ chunks: [piece.toString('latin1')], encodings: ['latin1'] });
        sent.push(piece);
        break;
      case 4:
        writes.push({ chunks: [piece.toString('hex')], encodings: ['hex'] });
        sent.push(piece);
        break;
      case 5:
        writes.push({ chunks: [piece.toString('utf16le').slice(0, size >> 1)], encodings: ['utf16le'] });
        sent.push(piece.subarray(0, (size >> 1) << 1));
        break;
      default:
        writes.push({ chunks: [piece] });
        sent.push(piece);
    }
  }
  const expected = sha256(sent);
  const expectedBytes = sent.reduce((n, b) => n + b.length, 0);
  sent = [];
  const started = process.hrtime.bigint();
  const result = await withTimeout(echoClient(engine, server.port, writes), 60_000, '16 MiB echo');
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  t.comment(`${(expectedBytes / 2 ** 20).toFixed(1)} MiB echoed in ${ms.toFixed(0)} ms`);
  await withTimeout(server.close(), 10_000, 'server close');
  t.equal(server.received.length, 1);
  t.equal(server.received[0].bytes, expectedBytes, 'server received every byte');
  t.equal(server.received[0].sha256, expected, 'server sha256');
  t.equal(result.bytes, expectedBytes, 'client received every byte back');
  t.equal(result.sha256, expected, 'client sha256');
  t.equal(result.writeStatuses.length, writes.length, 'one completion per writev (its callback, or WRITTEN_NOW)');
  t.ok(result.writeStatuses.every((s) => s === 0), 'every write succeeded');
});

t.test('1,000 concurrent connections, distinct payloads', async (t) => {
  const engine = getEngine();
  // A backlog for 1,000 simultaneous connects: with 511 some SYNs are dropped
  // and retried a second later, which would time the kernel, not the engine.
  const server = startEchoServer(t, engine, 1024);
  const count = 1000;
  const payloads: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const size = 1 + ((i * 7919) % (48 * 1024)); // 1 B .. 48 KiB, distinct
    const payload = crypto.randomBytes(size);
    if (size >= 4) payload.writeUInt32BE(i, 0);
    payloads.push(payload);
  }
  const started = process.hrtime.bigint();
  const results = await withTimeout(
    Promise.all(payloads.map((p, i) => echoClient(engine, server.port, i % 2 ? [{ chunks: [p] }] : [{ chunks: [p.subarray(0, p.length >> 1)] }, { chunks: [p.subarray(p.length >> 1)] }]))),
    60_000,
    '1,000 connections',
  );
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  t.comment(`1,000 connections echoed ${payloads.reduce((n, p) => n + p.length, 0)} bytes in ${ms.toFixed(0)} ms`);
  let wrong = 0;
  for (let i = 0; i < count; i++) {
    const r = results[i];
    if (r.bytes !== payloads[i].length || r.sha256 !== sha256([payloads[i]]) || r.closes !== 1 || !r.writeStatuses.every((s) => s === 0)) {
      wrong++;
    }
  }
  t.equal(wrong, 0, 'every connection got its own payload back, byte for byte');
  await withTimeout(server.close(), 20_000, 'server close');
  t.equal(server.received.length, count, 'server saw every connection end');
  const byHash = new Set(payloads.map((p) => sha256([p])));
  t.ok(server.received.every((r) => byHash.has(r.sha256)), 'server received whole payloads');
});


t.test('nothing left behind: no pending write, no owner', async (t) => {
  // Runs after the echo tests above in this process (tap runs them in order).
  await new Promise((resolve) => setImmediate(resolve));
  t.same(getEngine().stats(), { pendingWrites: 0, owners: 0 });
});

t.test('two worker_threads, one engine each, echo concurrently', async (t) => {
  const workerCode = `
    ${loadEngineJs}
    const { parentPort } = require('node:worker_threads');
    const crypto = require('node:crypto');
    const engine = getEngine();
    const payload = crypto.randomBytes(2 * 1024 * 1024);
    const listener = engine.listenTcp('127.0.0.1', 0, 511, false);
    const address = {};
    engine.sockname(listener, address);
    engine.setOwner(listener, {
      onConnection(status, peer) {
        engine.setOwner(peer, {
          onData(data) { engine.writev(peer, [data], null, () => {}); },
          onEnd() { engine.close(peer, 0); },
        });
        engine.readStart(peer);
      },
    });
    const client = engine.connectTcp('127.0.0.1', address.port);
    const hash = crypto.createHash('sha256');
    let bytes = 0;
    engine.setOwner(client, {
      onConnect(status) {
        engine.readStart(client);
        engine.writev(client, [payload], null, () => {});
        engine.shutdown(client);
      },
      onData(data) { hash.update(data); bytes += data.length; },
      onEnd() { engine.close(client, 0); },
      onClose() {
        engine.close(listener, 1);
        parentPort.postMessage({
          ok: bytes === payload.length && hash.digest('hex') === crypto.createHash('sha256').update(payload).digest('hex'),
          bytes,
        });
      },
    });
  `;
  const runWorker = () =>
    new Promise<{ ok: boolean; bytes: number; exitCode: number }>((resolve, reject) => {
      const worker = new Worker(workerCode, { eval: true });
      let message: { ok: boolean; bytes: number } | undefined;
      worker.on('message', (m) => (message = m));
      worker.on('error', reject);
      worker.on('exit', (exitCode) => {
        if (message === undefined) reject(new Error(`worker exited (${exitCode}) without a result`));
        else resolve({ ...message, exitCode });
      });
    });
  const results = await withTimeout(Promise.all([runWorker(), runWorker()]), 60_000, 'workers');
  for (const r of results) {
    t.ok(r.ok, `worker echoed ${r.bytes} bytes intact`);
    t.equal(r.exitCode, 0, 'worker exited on its own (its engine let the loop end, teardown clean)');
  }
});

t.test('a worker terminated with live sockets and pinned writes tears down cleanly', async (t) => {
  const workerCode = `
    ${loadEngineJs}
    const { parentPort } = require('node:worker_threads');
    const engine = getEngine();
    const listener = engine.listenTcp('127.0.0.1', 0, 511, false);
    const address = {};
    engine.sockname(listener, address);
    engine.setOwner(listener, { onConnection(status, peer) { engine.setOwner(peer, {}); } }); // never reads
    const client = engine.connectTcp('127.0.0.1', address.port);
    engine.setOwner(client, {
      onConnect() {
        // More than the kernel buffers hold: stays in flight, the Buffer pinned.
        engine.writev(client, [Buffer.alloc(32 * 1024 * 1024, 1), 'tail'], null, () => parentPort.postMessage('called'));
        setTimeout(() => parentPort.postMessage({ queued: engine.queuedBytes(client) }), 200);
      },
    });
  `;
  const worker = new Worker(workerCode, { eval: true });
  const messages: unknown[] = [];
  const exited = new Promise<number>((resolve, reject) => {
    worker.on('error', reject);
    worker.on('exit', resolve);
  });
  const ready = new Promise<{ queued: number }>((resolve) => {
    worker.on('message', (m) => {
      messages.push(m);
      if (typeof m === 'object') resolve(m as { queued: number });
    });
  });
  const state = await withTimeout(ready, 20_000, 'worker ready');
  t.ok(state.queued > 0, `a write is still pending at terminate (${state.queued} bytes queued)`);
  await worker.terminate();
  const code = await withTimeout(exited, 20_000, 'worker exit');
  t.equal(code, 1, 'terminated');
  t.notOk(messages.includes('called'), 'no write callback ran during teardown');
});

t.test('workers terminated in the middle of busy echo traffic', async (t) => {
  const workerCode = `
    ${loadEngineJs}
    const { parentPort } = require('node:worker_threads');
    const engine = getEngine();
    const listener = engine.listenTcp('127.0.0.1', 0, 511, false);
    const address = {};
    engine.sockname(listener, address);
    engine.setOwner(listener, { onConnection(status, peer) {
      engine.setOwner(peer, { onData(data) { engine.writev(peer, [data, 'x'], null, () => {}); } });
      engine.readStart(peer);
    } });
    let rounds = 0;
    for (let i = 0; i < 20; i++) {
      const c = engine.connectTcp('127.0.0.1', address.port);
      engine.setOwner(c, {
        onConnect() { engine.readStart(c); engine.writev(c, [Buffer.alloc(200000, i)], null, () => {}); },
        onData(data) {
          engine.writev(c, [data], null, () => {});
          if (++rounds === 200) parentPort.postMessage('busy');
        },
      });
    }
  `;
  for (let i = 0; i < 3; i++) {
    const worker = new Worker(workerCode, { eval: true });
    const exited = new Promise<number>((resolve, reject) => {
      worker.on('error', reject);
      worker.on('exit', resolve);
    });
    await withTimeout(new Promise((resolve) => worker.once('message', resolve)), 20_000, 'worker busy');
    await worker.terminate();
    t.equal(await withTimeout(exited, 20_000, 'worker exit'), 1, `worker ${i + 1} terminated mid-traffic, process intact`);
  }
});

// Runs `code` in a child node, with getEngine from lib/engine.ts, and reports
// how it ended.
// With `killAfter`, the child is killed `ms` after it printed `marker` (a
// child still alive then "timed out": what a keep-alive case expects).
function runChild(
  code: string,
  timeoutMs: number,
  captureStderr = false,
  killAfter?: { marker: string; ms: number },
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', `${loadEngineJs}\n${code}`], {
      stdio: ['ignore', 'pipe', captureStderr ? 'pipe' : 'inherit'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    let timedOut = false;
    const kill = () => {
      timedOut = true;
      child.kill('SIGKILL');
    };
    let markerTimer: NodeJS.Timeout | undefined;
    child.stdout!.on('data', (d) => {
      stdout += d;
      if (killAfter && markerTimer === undefined && stdout.includes(killAfter.marker)) {
        markerTimer = setTimeout(kill, killAfter.ms);
      }
    });
    const timer = setTimeout(kill, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(markerTimer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

t.test('handle liveness follows ref/unref and activity', async (t) => {
  // A peer that accepts and never reads, for the cases that need one.
  const engine = getEngine();
  const sink = engine.listenTcp('127.0.0.1', 0, 511, false);
  const sinkAddress: { port?: number } = {};
  engine.sockname(sink, sinkAddress);
  const accepted: number[] = [];
  engine.setOwner(sink, { onConnection: (status, peer) => peer > 0 && accepted.push(peer) });
  const PORT = sinkAddress.port!;

  const [unrefListener, refListener, idleSocket, readingUnref, unrefConnect, unrefWrite] = await Promise.all([
    runChild(
      `const e = getEngine(); const l = e.listenTcp('127.0.0.1', 0, 511, false);
       if (l < 0) throw new Error('listen ' + l); e.unref(l); console.log('listening');`,
      15_000,
    ),
    runChild(
      `const e = getEngine(); const l = e.listenTcp('127.0.0.1', 0, 511, false);
       e.setOwner(l, { onClose() { console.log('closed'); } });
       // An unref'd timer only fires if something else (the listener) keeps the loop alive.
       setTimeout(() => { console.log('still alive'); e.close(l, 1); }, 500).unref();`,
      15_000,
    ),
    runChild(
      `const e = getEngine(); const l = e.listenTcp('127.0.0.1', 0, 511, false);
       const a = {}; e.sockname(l, a);
       e.setOwner(l, { onConnection(status, peer) { e.unref(l); console.log('accepted'); } });
       const c = e.connectTcp('127.0.0.1', a.port);
       e.setOwner(c, { onConnect(status) { console.log('connected ' + status); } });`,
      15_000,
    ),
    runChild(
      `const e = getEngine(); const c = e.connectTcp('127.0.0.1', ${PORT}); e.unref(c);
       e.setOwner(c, { onConnect(status) { e.readStart(c); console.log('reading'); } });`,
      15_000,
    ),
    runChild(
      `const e = getEngine(); const c = e.connectTcp('127.0.0.1', ${PORT}); e.unref(c);
       e.setOwner(c, { onConnect(status) { console.log('connected ' + status); } });`,
      15_000,
    ),
    runChild(
      `const e = getEngine(); const c = e.connectTcp('127.0.0.1', ${PORT});
       e.setOwner(c, { onConnect(status) {
         e.writev(c, [Buffer.alloc(64 << 20)], null, () => console.log('written'));
         e.unref(c); console.log('writing');
       } });`,
      30_000,
      false,
      { marker: 'writing', ms: 1_500 },
    ),
  ]);
  t.notOk(unrefListener.timedOut, "an unref'd listener lets the process exit");
  t.equal(unrefListener.code, 0);
  t.match(unrefListener.stdout, /listening/);

  t.notOk(refListener.timedOut, 'the process exits once the listener is closed');
  t.equal(refListener.code, 0);
  t.match(refListener.stdout, /still alive\s+closed/, 'a listening server keeps the process alive until closed');

  t.notOk(idleSocket.timedOut, "idle, non-reading sockets and an unref'd listener let the process exit");
  t.equal(idleSocket.code, 0);
  t.match(idleSocket.stdout, /connected 0/);

  t.notOk(readingUnref.timedOut, "an unref'd reading socket lets the process exit");
  t.equal(readingUnref.code, 0);
  t.match(readingUnref.stdout, /reading/);

  t.notOk(unrefConnect.timedOut, 'exits after the connect');
  t.match(unrefConnect.stdout, /connected 0/, "a connect in flight keeps the process alive, even unref'd (as libuv's connect request)");

  t.match(unrefWrite.stdout, /writing/, 'the child started its write');
  t.ok(unrefWrite.timedOut, "a write in flight keeps the process alive, even unref'd (as libuv's write request)");

  for (const peer of accepted) engine.close(peer, CloseMode.Abort);
  engine.close(sink, CloseMode.Abort);
});

t.test('close() ends the read side at once, even within a batch', async (t) => {
  const engine = getEngine();
  const listener = engine.listenTcp('127.0.0.1', 0, 511, false);
  const address: { port?: number } = {};
  engine.sockname(listener, address);
  engine.setOwner(listener, {
    onConnection(status, peer) {
      engine.setOwner(peer, {});
      // Many small sends then FIN: the client sees several reads and its end,
      // often in one batch.
      for (let i = 0; i < 50; i++) engine.writev(peer, [Buffer.alloc(100, i)], null, () => {});
      engine.close(peer, CloseMode.Graceful);
    },
  });
  const client = engine.connectTcp('127.0.0.1', address.port!);
  const seen = await withTimeout(
    new Promise<{ data: number; end: boolean; connect: number }>((resolve) => {
      const seen = { data: 0, end: false, connect: -1 };
      engine.setOwner(client, {
        onConnect(status) {
          seen.connect = status;
          // Wait until everything has arrived, so that it is drained at once.
          setTimeout(() => engine.readStart(client), 100);
        },
        onData() {
          seen.data++;
          engine.close(client, CloseMode.Abort);
        },
        onEnd() {
          seen.end = true;
        },
        onClose() {
          resolve(seen);
        },
      });
    }),
    10_000,
    'close within a batch',
  );
  t.equal(seen.connect, 0);
  t.equal(seen.data, 1, 'no onData after close()');
  t.notOk(seen.end, 'no onEnd after close()');
  engine.close(listener, CloseMode.Abort);
});

t.test('bad input: TypeError or errno, never a crash', async (t) => {
  const engine = getEngine();
  const anyEngine = engine as unknown as Record<string, (...args: unknown[]) => unknown>;
  t.throws(() => anyEngine.readStart('1'), TypeError);
  t.throws(() => anyEngine.listenTcp(1, 0, 511, false), TypeError);
  t.throws(() => anyEngine.writev(1, [{}], null, () => {}), TypeError);
  t.throws(() => anyEngine.writev(1, 42, null, () => {}), TypeError);  // not a chunk (one chunk or an Array of them)
  t.throws(() => anyEngine.writev(1, [], null, null), TypeError);
  t.throws(() => anyEngine.sockname(1, null), TypeError);
  t.equal(engine.readStart(123456789), UV_EBADF, 'unknown handle: EBADF');
  t.equal(engine.readStart(-1), UV_EBADF);
  t.equal(engine.readStart(1.5), UV_EBADF);
  let called = false;
  t.equal(engine.writev(123456789, [Buffer.alloc(1 << 20)], null, () => (called = true)), UV_EBADF);
  t.equal(engine.listenTcp('not an ip', 0, 511, false), uvErrno('EINVAL'), 'bad address: EINVAL');
  t.equal(engine.connectTcp('127.0.0.1', 70000), uvErrno('EINVAL'), 'bad port: EINVAL');
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.notOk(called, 'a rejected write never calls back');
});

t.test('a throwing listener: the rest of the batch is delivered, the error reported like any I/O callback error', async (t) => {
  const program = `
    const e = getEngine();
    const l = e.listenTcp('127.0.0.1', 0, 511, false);
    const a = {}; e.sockname(l, a);
    e.setOwner(l, { onConnection(status, peer) {
      e.setOwner(peer, {
        onData(d) { throw new Error('boom'); },
        onEnd() { console.log('end delivered'); e.close(peer, 0); },
        onClose() { console.log('peer closed'); e.close(l, 1); },
      });
      e.readStart(peer);
    } });
    const c = e.connectTcp('127.0.0.1', a.port);
    e.setOwner(c, { onConnect() { e.writev(c, ['x'], null, () => {}); e.shutdown(c); e.readStart(c); },
                    onEnd() { e.close(c, 0); } });
  `;
  const handled = await runChild(`process.on('uncaughtException', (err) => console.log('caught ' + err.message));\n${program}`, 15_000);
  t.notOk(handled.timedOut);
  t.equal(handled.code, 0);
  t.match(handled.stdout, /caught boom/);
  t.match(handled.stdout, /end delivered/);
  t.match(handled.stdout, /peer closed/);
  const unhandled = await runChild(program, 15_000, true);
  t.notOk(unhandled.timedOut);
  t.equal(unhandled.code, 1, 'an unhandled exception ends the process with code 1, as in node');
  t.match(unhandled.stderr, /Error: boom/);
});

t.test("batches run in the engine's own async context, not the first caller's", async (t) => {
  const child = await runChild(
    `const { AsyncLocalStorage } = require('node:async_hooks');
     const als = new AsyncLocalStorage();
     als.run('first caller', () => {
       const e = getEngine();
       const l = e.listenTcp('127.0.0.1', 0, 511, false);
       const a = {}; e.sockname(l, a);
       const c = e.connectTcp('127.0.0.1', a.port);
       e.setOwner(c, { onConnect(status) {
         console.log('store in batch: ' + als.getStore());
         process.nextTick(() => console.log('tick after batch'));
         e.close(c, 1); e.close(l, 1);
       } });
     });`,
    15_000,
  );
  t.notOk(child.timedOut);
  t.equal(child.code, 0);
  t.match(child.stdout, /store in batch: undefined\s+tick after batch/);
});
