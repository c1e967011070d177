// What a fuzz child sets up before its calls, the same in both children so
// that only the implementation under test differs: peers made with node:net
// (a server that reads everything, a closed port, a unix socket), a private
// temp dir as cwd, and name resolution from a fixed table.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as dns from 'node:dns';
import * as nodeNet from 'node:net';

export interface Fixtures {
  /** A server on 127.0.0.1 that reads everything and never ends a connection. */
  livePort: number;
  /** A port nothing listens on. */
  closedPort: number;
  /** The same server on a unix socket (a named pipe on Windows). */
  livePipe: string;
  /**
   * Where pipe servers listen: dir on POSIX; on Windows a name under
   * \\.\pipe\ (node.exe cannot listen on a file path: EACCES).
   */
  pipeDir: string;
  /** Private temp dir, also the child's cwd; holds a regular file named 'file'. */
  dir: string;
  /** Start of abstract unix socket names unique to this child ('\0...'). */
  abstractPrefix: string;
}

export interface FixtureHandles {
  fx: Fixtures;
  /** Closes the server side of the connections made so far (their clients are closed). */
  dropConnections: () => void;
  stop: () => void;
}

export async function setUpFixtures(): Promise<FixtureHandles> {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'iocp-net-fuzz-')));
  // The addon's path is read when the engine starts, after this chdir: a
  // path relative to the old cwd (on Windows also '/work/...', which names
  // the current drive: Wine's lane gives one) would name another file, and
  // every iocp-net call would fail to load it (slowly: the fuzz file timed
  // out under Wine). Pinned here, as the parent meant it.
  if (process.env.IOCP_NET_ADDON) process.env.IOCP_NET_ADDON = path.resolve(process.env.IOCP_NET_ADDON);
  process.chdir(dir);
  fs.writeFileSync(path.join(dir, 'file'), 'a regular file');
  // Reads everything and never ends a connection, not even after the
  // client's end (half-open: the child drops them after each call).
  const connections = new Set<nodeNet.Socket>();
  const reader = (s: nodeNet.Socket) => {
    connections.add(s);
    s.on('error', () => {});
    s.on('close', () => connections.delete(s));
    s.resume();
  };
  const live = nodeNet.createServer({ allowHalfOpen: true }, reader);
  const livePipe = nodeNet.createServer({ allowHalfOpen: true }, reader);
  const pipeDir = process.platform === 'win32' ? `\\\\.\\pipe\\${path.basename(dir)}` : dir;
  const livePipePath = `${pipeDir}${path.sep}live.sock`;
  await new Promise<void>((r) => live.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => livePipe.listen(livePipePath, r));
  const livePort = (live.address() as nodeNet.AddressInfo).port;
  const fx: Fixtures = {
    livePort,
    // Below the ephemeral range: no listen(0) can take it, and no connect to
    // it can pick it as its own source port (a TCP self-connect succeeds).
    closedPort: 1,
    livePipe: livePipePath,
    pipeDir,
    dir,
    abstractPrefix: `\0iocp-net-fuzz-${process.pid}-`,
  };
  const dropConnections = () => {
    for (const s of connections) s.destroy();
  };
  const stop = () => {
    live.close();
    livePipe.close();
    // Windows cannot remove a process's current directory (EBUSY): leave it first.
    process.chdir(os.tmpdir());
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { fx, dropConnections, stop };
}

/**
 * Replaces dns.lookup (which node:net and iocp-net both read at call time)
 * by one that validates its arguments exactly as node's does (the real one
 * runs, on an IP literal, which needs no resolver) and answers names from a
 * fixed table: 'localhost' is 127.0.0.1 (::1 for family 6), every other name
 * is ENOTFOUND. No DNS traffic, and the same answers in both children.
 */
export function installFixedLookup(): void {
  const realLookup = dns.lookup as (...args: unknown[]) => unknown;
  (dns as any).lookup = function lookup(this: unknown, hostname: unknown, options: unknown, ...rest: unknown[]) {
    const args = [hostname, options, ...rest].slice(0, arguments.length);
    if (typeof hostname !== 'string' || hostname === '' || nodeNet.isIP(hostname)) return realLookup.apply(this, args);
    const cbAt = typeof options === 'function' ? 1 : 2;
    const userCb = args[cbAt];
    args[0] = '127.0.0.1';
    if (typeof userCb === 'function') {
      args[cbAt] = (err: unknown, answer: unknown) => {
        if (err) return userCb(err);
        if (hostname !== 'localhost') {
          return userCb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`),
            { errno: -3008, code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname }));
        }
        const family = typeof options === 'number' ? options : (options as any)?.family;
        const v6 = family === 6 || family === 'IPv6';
        const address = v6 ? '::1' : '127.0.0.1';
        return Array.isArray(answer) ? userCb(null, [{ address, family: v6 ? 6 : 4 }]) : userCb(null, address, v6 ? 6 : 4);
      };
    }
    return realLookup.apply(this, args);
  };
}
