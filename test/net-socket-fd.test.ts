// new Socket({ fd }) of descriptors that are not sockets: the error names the
// type libuv guesses (a character device such as /dev/null is a FILE).
// (Found by the fuzzer.)
import t from 'tap';
import type { Test } from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compare, errorShape } from './impl';

compare(t, 'new Socket({ fd }) of /dev/null and of a file', async (net) => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'iocp-net-fd-')), 'f');
  fs.writeFileSync(file, 'x');
  const fds: Record<string, number> = { '/dev/null': fs.openSync('/dev/null', 'r'), 'a file': fs.openSync(file, 'r') };
  const out: Record<string, unknown> = {};
  for (const [label, fd] of Object.entries(fds)) {
    try {
      new net.Socket({ fd });
      out[label] = 'no throw';
    } catch (err) {
      out[label] = (errorShape(err) as any).message;
    }
    fs.closeSync(fd);
  }
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  return out;
}, (t, r) => t.strictSame(r, { '/dev/null': 'Unsupported fd type: FILE', 'a file': 'Unsupported fd type: FILE' }));

// ---------------------------------------------------------------------------
// Adopting descriptors. A child process gets the descriptor as its fd 3 (a
// connection, a listening socket, one end of a socketpair), runs `body`
// with the implementation as `net`, and prints its transcript as JSON.

import { spawn } from 'node:child_process';
import type { StdioOptions } from 'node:child_process';
import { listen, closeServer, collect, once, thrown, impls, nodeImpl } from './impl';
import type { Impl } from './impl';

function childWithFd3(impl: Impl, fd3: StdioOptions extends (infer U)[] ? U : never, body: string):
    { done: Promise<{ code: number | null; transcript: unknown; stderr: string }>; fd3: import('node:stream').Duplex | null } {
  const script = `const net = require(${JSON.stringify(impl.requirePath)});
    const out = (x) => process.stdout.write(JSON.stringify(x) + '\\n');
    (async () => { ${body} })().catch((e) => { out({ threw: String(e && e.stack || e) }); process.exitCode = 1; });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe', fd3] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const done = new Promise<{ code: number | null; transcript: unknown; stderr: string }>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      const lines = stdout.trim().split('\n').filter(Boolean);
      resolve({ code, transcript: lines.map((l) => JSON.parse(l)), stderr });
    });
  });
  return { done, fd3: (child.stdio[3] as import('node:stream').Duplex | null) ?? null };
}

const win32 = process.platform === 'win32';

/**
 * A scenario whose subject does not exist on Windows: on win32 `why` is
 * asserted instead (what node.exe itself does there), so the guard cannot
 * hide a change.
 */
function posixOnly(title: string, run: () => void, why: string, onWindows: (t: Test) => Promise<void> | void): void {
  if (!win32) run();
  else t.test(`${title} [win32: ${why}]`, async (t) => onWindows(t));
}

posixOnly('new Socket({ fd }) of a TCP connection', () => compare(t, 'new Socket({ fd }) of a TCP connection: reads, writes, ends, closes the descriptor', async (net, impl) => {
  // The parent accepts (paused, node:net) and hands the connection to the child.
  const nodeNet = require('node:net') as typeof import('node:net');
  const server = nodeNet.createServer({ pauseOnConnect: true });
  const port = await listen(server);
  const client = nodeNet.connect(port, '127.0.0.1');
  const [accepted] = await once(server, 'connection');
  const child = childWithFd3(impl, accepted, `
    const s = new net.Socket({ fd: 3 });
    const first = { readyState: s.readyState, connecting: s.connecting, remoteFamily: s.remoteFamily, pending: s.pending, isSocket: s instanceof net.Socket };
    s.setEncoding('utf8');
    let data = '';
    s.on('data', (d) => { data += d; if (data.endsWith('\\n')) s.end('got ' + data); });
    s.on('end', () => out({ end: data }));
    await new Promise((r) => s.on('close', r));
    out({ first, bytesRead: s.bytesRead, bytesWritten: s.bytesWritten, destroyed: s.destroyed });`);
  accepted.destroy(); // the parent's copy; the child's keeps the connection
  client.end('hello\n');
  const reply = (await collect(client)).toString();
  const r = await child.done;
  await closeServer(server);
  return { reply, ...r };
}, (t, r: any) => {
  t.equal(r.reply, 'got hello\n');
  t.equal(r.code, 0);
  t.strictSame(r.transcript[1].first, { readyState: 'open', connecting: false, remoteFamily: 'IPv4', pending: false, isSocket: true });
}, 20_000), 'node.exe cannot hand a socket to a child', async (t) => {
  // Windows: node's spawn refuses a socket as a child's stdio (ENOTSUP), so no child has a connection as a descriptor.
  const nodeNet = require('node:net') as typeof import('node:net');
  const server = nodeNet.createServer();
  const port = await listen(server);
  const client = nodeNet.connect(port, '127.0.0.1');
  await once(client, 'connect');
  t.match(thrown(() => spawn(process.execPath, ['-e', ''], { stdio: ['ignore', 'ignore', 'ignore', client] })), { code: 'ENOTSUP', syscall: 'spawn' });
  client.destroy();
  await closeServer(server);
});

posixOnly('new Socket({ fd }) of a unix socketpair', () => compare(t, 'new Socket({ fd }) of a unix socketpair (a child\'s \'pipe\' stdio)', async (_net, impl) => {
  const child = childWithFd3(impl, 'pipe', `
    const s = new net.Socket({ fd: 3 });
    s.setEncoding('utf8');
    let data = '';
    s.on('data', (d) => (data += d));
    s.on('end', () => s.end(data.toUpperCase()));
    await new Promise((r) => s.on('close', r));
    out({ readyState: s.readyState, remoteAddress: s.remoteAddress, data });`);
  child.fd3!.end('over a socketpair');
  const reply = (await collect(child.fd3!)).toString();
  const r = await child.done;
  return { reply, ...r };
}, (t, r: any) => {
  t.equal(r.reply, 'OVER A SOCKETPAIR');
  t.strictSame(r.transcript, [{ readyState: 'closed', data: 'over a socketpair' }]);
}, 20_000), 'a child\'s \'pipe\' stdio is a named pipe', async (t) => {
  // Windows: a child's 'pipe' stdio is a named pipe, not a socketpair. node.exe
  // wraps its descriptor as a Pipe and reads from it to the end.
  // iocp-net cannot take a pipe by descriptor on Windows (fstat tells
  // nothing of it, and the engine takes SOCKETs only): ERR_INVALID_FD_TYPE,
  // 'UNKNOWN' (README, Windows).
  const body = `
    try {
      const s = new net.Socket({ fd: 3 });
      s.setEncoding('utf8');
      let data = '';
      s.on('data', (d) => (data += d));
      s.on('error', (e) => out({ error: e.code }));
      await new Promise((r) => s.on('close', r));
      out({ data });
    } catch (e) { out({ threw: e.code, message: e.message }); }`;
  for (const impl of [nodeImpl, ...impls.filter((i) => i !== nodeImpl)]) {
    const child = childWithFd3(impl, 'pipe', body);
    child.fd3!.on('error', () => {});
    child.fd3!.end('over a pipe');
    const r = await child.done;
    if (impl === nodeImpl) t.strictSame(r.transcript, [{ data: 'over a pipe' }], 'node.exe reads from the pipe');
    else t.strictSame(r.transcript, [{ threw: 'ERR_INVALID_FD_TYPE', message: 'Unsupported fd type: UNKNOWN' }], 'win32: iocp-net refuses a pipe descriptor (README)');
  }
});

posixOnly('listen({ fd }) of a listening socket', () => compare(t, 'listen({ fd }) of a listening socket: accepts, address(), close() closes it', async (_net, impl) => {
  const nodeNet = require('node:net') as typeof import('node:net');
  const parent = nodeNet.createServer();
  const port = await listen(parent);
  const fd = (parent as any)._handle.fd as number;
  const child = childWithFd3(impl, fd, `
    const server = net.createServer((c) => c.end('from the child'));
    server.listen({ fd: 3 }, () => {
      out({ listening: server.listening, address: server.address().port === ${port} });
    });
    await new Promise((r) => server.once('connection', r));
    await new Promise((r) => server.close(r));
    out({ closed: !server.listening });`);
  // The parent stops accepting (its libuv handle closed: no one polls but the child).
  await closeServer(parent);
  await new Promise((r) => setTimeout(r, 100));
  const c = nodeNet.connect(port, '127.0.0.1');
  const reply = (await collect(c)).toString();
  const r = await child.done;
  return { reply, ...r };
}, (t, r: any) => {
  t.equal(r.reply, 'from the child');
  t.strictSame(r.transcript, [{ listening: true, address: true }, { closed: true }]);
}, 20_000), 'node\'s handles have no descriptor', async (t) => {
  // Windows: node's handle.fd is -1 (libuv gives no descriptor of a socket there), so there is no listening descriptor to hand over.
  const nodeNet = require('node:net') as typeof import('node:net');
  const server = nodeNet.createServer();
  await listen(server);
  t.equal((server as any)._handle.fd, -1);
  await closeServer(server);
});

compare(t, 'listen({ fd }) of what cannot listen: EINVAL, syscall listen', async (net, impl) => {
  const fs = require('node:fs') as typeof import('node:fs');
  const nodeNet = require('node:net') as typeof import('node:net');
  const out: Record<string, unknown> = {};
  const devNull = fs.openSync('/dev/null', 'r');
  for (const [label, fd] of [['/dev/null', devNull], ['a closed descriptor', 100000]] as const) {
    const server = net.createServer();
    server.listen({ fd });
    const [err] = await once(server, 'error', false);
    out[label] = { code: err.code, syscall: err.syscall, message: err.message, address: err.address, port: err.port, listening: server.listening };
  }
  fs.closeSync(devNull);
  // Windows: no child can get a socket as a descriptor (node's spawn refuses
  // a socket as stdio: ENOTSUP, asserted above), so this part is POSIX's.
  if (win32) return out;
  // A connected socket (in a child, as its fd 3): listen(2) fails; node then closes the descriptor.
  const helper = nodeNet.createServer((c) => c.on('error', () => {}));
  const port = await listen(helper);
  const client = nodeNet.connect(port, '127.0.0.1');
  await once(client, 'connect');
  const child = childWithFd3(impl, client, `
    const server = net.createServer();
    server.listen({ fd: 3 });
    server.on('error', (err) => {
      let open = true;
      try { require('fs').fstatSync(3); } catch { open = false; }
      out({ code: err.code, syscall: err.syscall, listening: server.listening, descriptorOpen: open });
    });`);
  out.connected = (await child.done).transcript;
  client.destroy();
  await closeServer(helper);
  return out;
}, (t, r: any) => {
  t.strictSame(r['/dev/null'], { code: 'EINVAL', syscall: 'listen', message: 'listen EINVAL: invalid argument', address: null, port: undefined, listening: false });
  if (!win32) t.strictSame(r.connected, [{ code: 'EINVAL', syscall: 'listen', listening: false, descriptorOpen: false }]);
});

posixOnly('listen(handle) of a node:net server\'s handle', () => compare(t, 'listen(handle) of a node:net server\'s handle: connections come to the new server', async (net) => {
  const nodeNet = require('node:net') as typeof import('node:net');
  const first = nodeNet.createServer(() => { throw new Error('the first server must not get connections'); });
  const port = await listen(first);
  const second = net.createServer((c) => c.end('second'));
  await new Promise<void>((resolve) => second.listen((first as any)._handle, () => resolve()));
  const address = second.address() as import('node:net').AddressInfo;
  const replies = await Promise.all([1, 2, 3].map(async () => (await collect(nodeNet.connect(port, '127.0.0.1'))).toString()));
  await closeServer(second);
  const refused = await new Promise((resolve) => nodeNet.connect(port, '127.0.0.1').on('error', (e: any) => resolve(e.code)).on('connect', () => resolve('connected')));
  return { port: address.port === port, replies, listening: second.listening, refused };
}, (t, r) => t.strictSame(r, { port: true, replies: ['second', 'second', 'second'], listening: false, refused: 'ECONNREFUSED' })),
'iocp-net refuses node\'s handle: ENOTSUP', async (t) => {
  // Windows: node's handle has no descriptor (fd -1) and the engine cannot
  // take a SOCKET libuv owns, so iocp-net's listen(handle) fails with
  // ENOTSUP and leaves the handle to its server (README, Windows); node.exe's
  // own takes it over as on Linux.
  const nodeNet = require('node:net') as typeof import('node:net');
  for (const impl of [nodeImpl, ...impls.filter((i) => i !== nodeImpl)]) {
    const first = nodeNet.createServer((c) => c.end('first'));
    const port = await listen(first);
    const second = impl.net!.createServer((c) => c.end('second'));
    const result = await new Promise<unknown>((resolve) => {
      second.once('error', (e: any) => resolve({ error: { code: e.code, syscall: e.syscall, message: e.message } }));
      second.listen((first as any)._handle, () => resolve('listening'));
    });
    const reply = (await collect(nodeNet.connect(port, '127.0.0.1'))).toString();
    if (impl === nodeImpl) {
      t.strictSame({ result, reply }, { result: 'listening', reply: 'second' }, 'node.exe: the new server takes the handle');
      await closeServer(second);
    } else {
      t.strictSame({ result, reply, listening: second.listening }, {
        result: { error: { code: 'ENOTSUP', syscall: 'listen', message: 'listen ENOTSUP: operation not supported on socket' } },
        reply: 'first', listening: false }, 'win32: iocp-net refuses the handle; its server keeps it');
      await closeServer(first);
    }
  }
});

// Windows has no FIFOs (mkfifo); its pipe descriptor is asserted above (a child's 'pipe' stdio).
if (!win32) t.test('new Socket({ fd }) of a FIFO: node makes a pipe handle; iocp-net throws open ENOTSOCK (README)', async (t) => {
  const fs = require('node:fs') as typeof import('node:fs');
  const os = require('node:os') as typeof import('node:os');
  const path = require('node:path') as typeof import('node:path');
  const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iocp-net-fifo-'));
  const fifo = path.join(dir, 'f');
  execFileSync('mkfifo', [fifo]);
  const fd = fs.openSync(fifo, fs.constants.O_RDWR);
  const iocp = require('../dist/net.js') as typeof import('node:net');
  const err = thrown(() => new iocp.Socket({ fd })) as any;
  t.match(err, { code: 'ENOTSOCK', errno: -88, syscall: 'open', message: 'open ENOTSOCK' });
  // node's own accepts it (a Pipe handle).
  const nodeNet = require('node:net') as typeof import('node:net');
  t.equal(thrown(() => new nodeNet.Socket({ fd }).destroy()), undefined); // (closes fd)
  fs.rmSync(dir, { recursive: true, force: true });
});

posixOnly('new Socket({ fd }) of a listening socket', () => t.test('new Socket({ fd }) of a listening socket: iocp-net throws open EINVAL and leaves it alone (node wraps it, README)', async (t) => {
  const nodeNet = require('node:net') as typeof import('node:net');
  const iocp = require('../dist/net.js') as typeof import('node:net');
  const server = nodeNet.createServer((c) => c.end('still served'));
  const port = await listen(server);
  t.match(thrown(() => new iocp.Socket({ fd: (server as any)._handle.fd })), { code: 'EINVAL', syscall: 'open', message: 'open EINVAL' });
  // Not taken: the node server still accepts on it.
  t.equal((await collect(nodeNet.connect(port, '127.0.0.1'))).toString(), 'still served');
  await closeServer(server);
}), 'node\'s handles have no descriptor', async (t) => {
  // Windows: node's listening handle has fd -1; new Socket({ fd: -1 }) fails the same way on both.
  const nodeNet = require('node:net') as typeof import('node:net');
  const iocp = require('../dist/net.js') as typeof import('node:net');
  const server = nodeNet.createServer();
  await listen(server);
  const fd = (server as any)._handle.fd;
  t.equal(fd, -1);
  const shape = (e: any) => e && { code: e.code, name: e.name, message: e.message };
  t.strictSame(shape(thrown(() => new iocp.Socket({ fd }))), shape(thrown(() => new nodeNet.Socket({ fd }))));
  await closeServer(server);
});
