// The kernel-level effect of noDelay/keepAlive options and of setNoDelay/
// setKeepAlive: a python helper duplicates the socket's fd out of this process
// (pidfd_getfd, Linux >= 5.6) and reads TCP_NODELAY, SO_KEEPALIVE, TCP_KEEPIDLE.
// Skipped with a reason where python3 or pidfd_getfd is unavailable.
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { compare, listen, closeServer, once, Net, Socket } from './impl';

const helper = `
import ctypes, os, socket, sys
pid, port = int(sys.argv[1]), int(sys.argv[2])
libc = ctypes.CDLL(None, use_errno=True)
inodes = set()
for name in ('tcp', 'tcp6'):
    try:
        rows = open('/proc/%d/net/%s' % (pid, name)).read().splitlines()[1:]
    except OSError:
        continue
    for row in rows:
        cols = row.split()
        if int(cols[1].split(':')[1], 16) == port and cols[3] == '01':  # local port, ESTABLISHED
            inodes.add(cols[9])
target = None
for fd in os.listdir('/proc/%d/fd' % pid):
    try:
        link = os.readlink('/proc/%d/fd/%s' % (pid, fd))
    except OSError:
        continue
    if link.startswith('socket:[') and link[8:-1] in inodes:
        target = int(fd)
if target is None:
    print('no-socket'); sys.exit(0)
pidfd = libc.syscall(434, pid, 0)          # pidfd_open
fd = libc.syscall(438, pidfd, target, 0)   # pidfd_getfd
if fd < 0:
    print('no-pidfd_getfd'); sys.exit(0)
s = socket.socket(fileno=fd)
nodelay = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
keepalive = s.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) != 0
idle = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE)
s.detach(); os.close(fd); os.close(pidfd)
print('%s %s %d' % (nodelay, keepalive, idle))
`;

const helperDir = fs.mkdtempSync(path.join(os.tmpdir(), 'iocp-net-sockopt-'));
const helperPath = path.join(helperDir, 'sockopt.py');
fs.writeFileSync(helperPath, helper);
t.teardown(() => fs.rmSync(helperDir, { recursive: true, force: true }));

/** TCP_NODELAY, SO_KEEPALIVE, TCP_KEEPIDLE of this process's established socket with that local port. */
function sockopts(localPort: number): string {
  return execFileSync('python3', [helperPath, String(process.pid), String(localPort)], { encoding: 'utf8', timeout: 10_000 }).trim();
}

function precondition(): string | null {
  try {
    execFileSync('python3', ['-c', 'import ctypes'], { stdio: 'ignore' });
  } catch {
    return 'python3 is not available';
  }
  return null;
}

// Each reading runs python3 (a few hundred ms on a loaded 2-core machine, five of them per run).
const SLOW_MS = 30_000;

const missing = precondition();
if (missing) {
  t.test('socket options at the kernel', { skip: missing }, async () => {});
} else {
  compare(t, 'client noDelay/keepAlive options and setters reach the kernel', async (net: Net) => {
    const server = net.createServer((s) => s.on('error', () => {}));
    const port = await listen(server);
    const out: Record<string, string> = {};
    const plain = net.connect(port, '127.0.0.1');
    await once(plain, 'connect');
    out.defaults = sockopts(plain.localPort!);
    if (out.defaults.startsWith('no-')) {
      plain.destroy();
      await closeServer(server);
      return { unavailable: out.defaults };
    }
    const opts = net.connect({ port, host: '127.0.0.1', noDelay: true, keepAlive: true, keepAliveInitialDelay: 7000 } as any);
    await once(opts, 'connect');
    out.options = sockopts(opts.localPort!);
    opts.setNoDelay(false);
    opts.setKeepAlive(false);
    out.afterDisable = sockopts(opts.localPort!);
    opts.setKeepAlive(true, 3000);
    opts.setNoDelay();
    out.afterEnable = sockopts(opts.localPort!);
    // Setters called before connecting take effect once connected.
    const early = new net.Socket();
    early.setNoDelay(true);
    early.setKeepAlive(true, 5000);
    early.connect(port, '127.0.0.1');
    await once(early, 'connect');
    out.settersBeforeConnect = sockopts(early.localPort!);
    for (const s of [plain, opts, early]) s.destroy();
    await closeServer(server);
    return out;
  }, (t, r: any) => {
    if (r.unavailable) { t.comment(`cannot inspect sockets here: ${r.unavailable}`); return; }
    t.strictSame(r, {
      defaults: 'False False 7200',
      options: 'True True 7',
      afterDisable: 'False False 7',
      afterEnable: 'True True 3',
      settersBeforeConnect: 'True True 5',
    });
  }, SLOW_MS);

  compare(t, 'server noDelay/keepAlive options reach accepted sockets', async (net: Net) => {
    let accepted: Socket | undefined;
    const server = net.createServer({ noDelay: true, keepAlive: true, keepAliveInitialDelay: 4000 } as any, (s) => { accepted = s; });
    const port = await listen(server);
    const client = net.connect(port, '127.0.0.1');
    await once(client, 'connect');
    while (!accepted) await new Promise((r) => setTimeout(r, 5));
    // The accepted socket is the only established one in this process whose local port is the server's.
    const result = sockopts(port);
    client.destroy();
    accepted.destroy();
    await closeServer(server);
    return { accepted: result };
  }, (t, r) => {
    if (r.accepted.startsWith('no-')) { t.comment(`cannot inspect sockets here: ${r.accepted}`); return; }
    t.strictSame(r, { accepted: 'True True 4' });
  }, SLOW_MS);
}
