// The two implementations every net test runs against, and the helpers the
// test files share.
//
// NET_IMPL=node | iocp-net | both (default both) selects the implementations
// whose behaviour is asserted. node:net always also runs as the reference when
// a scenario is compared, so every expectation on iocp-net is checked against
// what node:net did in the same run. If ../dist/net.js cannot be loaded, every
// iocp-net subtest fails with the load error (never skipped).
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as util from 'node:util';
import { spawn } from 'node:child_process';
import tap from 'tap';
import type { Test } from 'tap';
import { errorShape } from './transcript';

// Transcript helpers live in a tap-free module (child processes use them too).
export { errorShape, mask } from './transcript';

export type Net = typeof import('node:net');

export interface Impl {
  name: 'node:net' | 'iocp-net';
  /** What a child process must require() to get this implementation. */
  requirePath: string;
  net: Net | null;
  loadError?: unknown;
}

// NET_IOCP_PATH points at another build of the package (e.g. an installed copy).
export const iocpNetPath = process.env.NET_IOCP_PATH ? path.resolve(process.env.NET_IOCP_PATH) : path.join(__dirname, '..', 'dist', 'net.js');

function loadIocpNet(): Impl {
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    return { name: 'iocp-net', requirePath: iocpNetPath, net: require(iocpNetPath) as Net };
  } catch (loadError) {
    return { name: 'iocp-net', requirePath: iocpNetPath, net: null, loadError };
  }
}

export const nodeImpl: Impl = { name: 'node:net', requirePath: 'node:net', net: require('node:net') as Net };

const selection = (process.env.NET_IMPL ?? 'both').trim();
if (!['node', 'node:net', 'iocp-net', 'both'].includes(selection)) {
  throw new Error(`NET_IMPL must be node, iocp-net or both (got ${JSON.stringify(selection)})`);
}

/** The implementations under test, in order (node:net first). */
export const impls: Impl[] = [];
if (selection !== 'iocp-net') impls.push(nodeImpl);
if (selection !== 'node' && selection !== 'node:net') impls.push(loadIocpNet());

/** Fails the test with the reason iocp-net could not be loaded; returns the module otherwise. */
function usable(t: Test, impl: Impl): Net | null {
  if (impl.net) return impl.net;
  const reason = impl.loadError instanceof Error ? impl.loadError.message : String(impl.loadError);
  t.fail(`${impl.name} could not be loaded from ${impl.requirePath}: ${reason}`);
  return null;
}

/** Rejects after `ms` so a hanging implementation fails instead of stalling the suite. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string, owner?: Test): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  // A subtest that already ended (e.g. on an uncaught exception) must not report a late timeout.
  owner?.teardown(() => clearTimeout(timer));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// A failing implementation can leave servers or sockets open, which would keep
// the test process alive until tap's timeout. Once every test has finished,
// exit if anything is still holding the loop (the timer is unref'd, so it
// never delays a clean exit).
tap.teardown(() => {
  setTimeout(() => {
    process.exit(process.exitCode ?? 0);
  }, 1000).unref();
});

/**
 * Runs `scenario` once per selected implementation, each in its own subtest
 * named "<title> [<impl>]". `scenario` returns a JSON-able transcript.
 * - `check(t, transcript, impl)` asserts known node:net values (so that a test
 *   cannot pass by two implementations agreeing on something wrong);
 * - for every implementation other than node:net the transcript must equal
 *   node:net's transcript of the same run (node:net runs as reference even
 *   when NET_IMPL=iocp-net).
 */
export function compare<T>(
  t: Test,
  title: string,
  scenario: (net: Net, impl: Impl) => Promise<T>,
  check?: (t: Test, transcript: T, impl: Impl) => unknown,
  timeoutMs = 10_000,
  /** Marks the iocp-net run as a known, documented limitation (tap "todo":
   *  it still runs and its failures are listed, but not counted). Only for
   *  behaviour that userland code cannot reproduce. */
  iocpTodo?: string,
): void {
  let reference: Promise<T> | undefined;
  const runReference = () => (reference ??= withTimeout(scenario(nodeImpl.net!, nodeImpl), timeoutMs, `${title} [node:net]`));
  for (const impl of impls) {
    const options = impl !== nodeImpl && iocpTodo ? { todo: iocpTodo } : {};
    t.test(`${title} [${impl.name}]`, options, async (t) => {
      const net = usable(t, impl);
      if (!net) return;
      const transcript = impl === nodeImpl ? await runReference()
        : await withTimeout(scenario(net, impl), timeoutMs, `${title} [${impl.name}]`, t);
      if (process.env.NET_TEST_DUMP) t.comment(`${impl.name} transcript: ${JSON.stringify(transcript)}`);
      if (check) await check(t, transcript, impl);
      if (impl !== nodeImpl) {
        t.strictSame(transcript, await runReference(), 'same transcript as node:net');
      }
    });
  }
}

/** Runs `body` once per selected implementation (no transcript comparison). */
export function eachImpl(t: Test, title: string, body: (t: Test, net: Net, impl: Impl) => Promise<void>, timeoutMs = 10_000): void {
  for (const impl of impls) {
    t.test(`${title} [${impl.name}]`, async (t) => {
      const net = usable(t, impl);
      if (!net) return;
      await withTimeout(body(t, net, impl), timeoutMs, `${title} [${impl.name}]`, t);
    });
  }
}

// ---------------------------------------------------------------------------
// Small helpers

export type Server = import('node:net').Server;
export type Socket = import('node:net').Socket;

/** Listen on 127.0.0.1, port 0; resolves with the port. */
export function listen(server: Server, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.removeListener('error', reject);
      resolve((server.address() as import('node:net').AddressInfo).port);
    });
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
  });
}

/** Echo server: every connection writes back what it reads and ends when the peer ends. */
export async function echoServer(net: Net, options: import('node:net').ServerOpts = {}): Promise<{ server: Server; port: number }> {
  const server = net.createServer(options, (socket) => {
    socket.on('error', () => {});
    socket.pipe(socket);
  });
  const port = await listen(server);
  return { server, port };
}

/** Resolves with the first emission of `event` (its arguments); rejects if
 *  'error' comes first, except when waiting for 'close' (which follows errors). */
export function once(emitter: NodeJS.EventEmitter, event: string, rejectOnError = event !== 'close'): Promise<any[]> {
  return new Promise((resolve, reject) => {
    const onEvent = (...args: any[]) => {
      emitter.removeListener('error', onError);
      resolve(args);
    };
    const onError = (err: unknown) => {
      emitter.removeListener(event, onEvent);
      reject(err);
    };
    emitter.once(event, onEvent);
    if (rejectOnError && event !== 'error') emitter.once('error', onError);
  });
}

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves when every chunk of a readable has been collected and it ended. */
export function collect(socket: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer | string) => chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c)));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
  });
}

/** Calls fn and returns the shape of what it throws (undefined if nothing). */
export function thrown(fn: () => unknown): Record<string, unknown> | undefined {
  try {
    fn();
  } catch (err) {
    return errorShape(err);
  }
  return undefined;
}

/**
 * Records the order in which the given events fire on an emitter, as strings
 * like "close(false)". Arguments are rendered with `render` when given.
 */
export function recordEvents(
  emitter: NodeJS.EventEmitter,
  events: string[],
  log: string[],
  render: (event: string, args: any[]) => string = (event) => event,
): string[] {
  for (const event of events) emitter.on(event, (...args: any[]) => log.push(render(event, args)));
  return log;
}

const tempDirs: string[] = [];
tap.teardown(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * A fresh `path` for a server: a unix socket in a private temp dir (removed
 * when the file's tests end) or, on Windows, a named pipe (what node uses
 * there; it leaves no file).
 */
let pipeCount = 0;
export function pipePath(tag: string): string {
  if (process.platform === 'win32') return `\\\\.\\pipe\\iocp-net-test-${process.pid}-${pipeCount++}-${tag}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iocp-net-test-'));
  tempDirs.push(dir);
  return path.join(dir, `${tag}.sock`);
}

/** libuv's errno for an error code on this platform, as node reports it (Linux: -errno; Windows: ECONNREFUSED is -4078). */
export function uvErrno(code: string): number {
  for (const [errno, [name]] of util.getSystemErrorMap()) if (name === code) return errno;
  throw new Error(`no system error named ${code}`);
}

/** Windows node.exe under Wine (CI's Windows lane on Linux): Wine's loader puts WINELOADER in every process's environment. */
export const isWine = process.platform === 'win32' && 'WINELOADER' in process.env;

/** Is ::1 usable on this machine (interface up and bindable)? */
export function ipv6LoopbackAvailable(): Promise<boolean> {
  const net = require('node:net') as Net;
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(0, '::1', () => server.close(() => resolve(true)));
  });
}

/** Does `localhost` resolve to ::1 here (many CI hosts map it to 127.0.0.1 only)? */
export async function localhostHasIPv6(): Promise<boolean> {
  const dns = await import('node:dns');
  return new Promise((resolve) => {
    dns.lookup('localhost', { all: true }, (err, addresses) => {
      resolve(!err && addresses.some((a) => a.family === 6));
    });
  });
}

/**
 * Runs a node child that loads the implementation as `net` and executes
 * `body` (a script body); resolves with exit code, signal, stdout, stderr.
 * The child is killed `graceMs` after its first line of stdout (so slow
 * start-up on a loaded machine does not count), or after `timeoutMs` overall.
 * `timedOut` tells whether it had to be killed.
 */
export function runChild(impl: Impl, body: string, graceMs = 5_000, timeoutMs = 20_000): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string; timedOut: boolean }> {
  const script = `const net = require(${JSON.stringify(impl.requirePath)});\n${body}`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const kill = () => {
      timedOut = true;
      child.kill('SIGKILL');
    };
    let graceTimer: NodeJS.Timeout | undefined;
    const overall = setTimeout(kill, timeoutMs);
    child.stdout.on('data', (d) => {
      stdout += d;
      graceTimer ??= setTimeout(kill, graceMs);
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code, signal) => {
      clearTimeout(overall);
      clearTimeout(graceTimer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/** Runs async jobs with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
