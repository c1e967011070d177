// Which backend runs, and what happens when none can (issue: "One engine
// core for every backend"):
// - the default is epoll, which also serves where io_uring is refused, as
//   Docker's and containerd's default seccomp profiles refuse it: a child
//   runs under a real seccomp filter that makes the io_uring system calls
//   fail with EPERM (test/fixtures/deny-io-uring.c), serves, connects, echoes;
// - IOCP_NET_BACKEND forces a backend; when it cannot start, listen() and
//   connect() report it the way node:net reports a failed listen or connect
//   ('error' with code, errno, syscall), never an uncaught throw;
// - NODE_DEBUG=iocp-net prints the backend picked.
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { iocpNetPath } from './impl';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iocp-net-backend-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Builds the seccomp wrapper with the machine's C compiler (CI installs one). */
function denyIoUring(): string {
  const binary = path.join(dir, 'deny-io-uring');
  const cc = spawnSync(process.env.CC || 'cc', ['-O2', '-Wall', '-o', binary, path.join(__dirname, 'fixtures', 'deny-io-uring.c')], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`cannot build deny-io-uring: ${cc.stderr || cc.error}`);
  return binary;
}

// Serves, connects and echoes; prints {backend, echoed, errors} as JSON.
const echoScript = `
  const net = require(${JSON.stringify(iocpNetPath)});
  const errors = [];
  const shape = (e) => ({ code: e.code, errno: e.errno, syscall: e.syscall });
  const server = net.createServer((s) => s.pipe(s));
  server.on('error', (e) => { errors.push({ on: 'server', ...shape(e) }); report(''); });
  server.listen(0, '127.0.0.1', () => {
    const c = net.connect(server.address().port, '127.0.0.1');
    let echoed = '';
    c.on('data', (d) => { echoed += d; if (echoed.length === 5) c.end(); });
    c.on('close', () => { server.close(); report(echoed); });
    c.write('hello');
  });
  function report(echoed) {
    const client = net.connect(1, '127.0.0.1');
    client.on('error', (e) => {
      errors.push({ on: 'client', ...shape(e) });
      console.log(JSON.stringify({ backend: net.backend, echoed, errors }));
    });
    client.on('connect', () => { console.log(JSON.stringify({ backend: net.backend, echoed, errors })); client.destroy(); });
  }`;

function run(command: string[], env: Record<string, string> = {}) {
  const r = spawnSync(command[0], command.slice(1), {
    encoding: 'utf8', timeout: 30_000, env: { ...process.env, IOCP_NET_BACKEND: '', ...env },
  });
  const last = (r.stdout || '').trim().split('\n').pop() || '';
  let result: any;
  try {
    result = JSON.parse(last);
  } catch {
    result = { stdout: r.stdout, stderr: r.stderr, status: r.status, signal: r.signal };
  }
  return { result, status: r.status, stderr: r.stderr };
}

t.test('io_uring refused by seccomp: the default (epoll) serves with no configuration', async (t) => {
  const deny = denyIoUring();
  const { result, status, stderr } = run([deny, process.execPath, '-e', echoScript], { NODE_DEBUG: 'iocp-net' });
  t.equal(status, 0, `exits 0 (${stderr.trim().split('\n').slice(-3).join(' | ')})`);
  t.strictSame(result, {
    backend: 'epoll', echoed: 'hello',
    errors: [{ on: 'client', code: 'ECONNREFUSED', errno: -111, syscall: 'connect' }],
  });
  t.match(stderr, /IOCP-NET \d+: engine started on the epoll backend/, 'NODE_DEBUG=iocp-net names the backend');
});

t.test('without seccomp the default is epoll (ahead on request/response: docs/DESIGN.md, "Which backend")', async (t) => {
  const { result } = run([process.execPath, '-e', echoScript]);
  t.equal(result.backend, 'epoll');
  t.equal(result.echoed, 'hello');
});

t.test('IOCP_NET_BACKEND=uring picks io_uring', async (t) => {
  const { result } = run([process.execPath, '-e', echoScript], { IOCP_NET_BACKEND: 'uring' });
  t.equal(result.backend, 'uring');
  t.equal(result.echoed, 'hello');
});

t.test('IOCP_NET_BACKEND=uring where io_uring is refused: listen and connect fail with EPERM, as node reports errors', async (t) => {
  const deny = denyIoUring();
  const { result, status, stderr } = run([deny, process.execPath, '-e', echoScript], { IOCP_NET_BACKEND: 'uring', NODE_DEBUG: 'iocp-net' });
  t.equal(status, 0, 'no uncaught exception');
  t.strictSame(result, {
    backend: 'none', echoed: '',
    errors: [
      { on: 'server', code: 'EPERM', errno: -1, syscall: 'listen' },
      { on: 'client', code: 'EPERM', errno: -1, syscall: 'connect' },
    ],
  });
  t.match(stderr, /no engine: .*io_uring is disabled here/, 'NODE_DEBUG=iocp-net says why');
});

t.test('IOCP_NET_BACKEND=epoll forces epoll', async (t) => {
  const { result } = run([process.execPath, '-e', echoScript], { IOCP_NET_BACKEND: 'epoll' });
  t.equal(result.backend, 'epoll');
  t.equal(result.echoed, 'hello');
});

t.test('IOCP_NET_BACKEND=iocp on Linux: an error event with code ENOSYS, no crash', async (t) => {
  const { result, status } = run([process.execPath, '-e', echoScript], { IOCP_NET_BACKEND: 'iocp' });
  t.equal(status, 0);
  t.strictSame(result.errors, [
    { on: 'server', code: 'ENOSYS', errno: -38, syscall: 'listen' },
    { on: 'client', code: 'ENOSYS', errno: -38, syscall: 'connect' },
  ]);
});
