// Real servers for the database clients' tests: a PostgreSQL and a Redis
// server from Debian's packages, each on a free loopback port in a temp
// folder, stopped when the test ends. A server that cannot start fails the
// test, saying what to install (scripts/dev-setup.js installs them at
// `npm install` when it can).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import * as nodeNet from 'node:net';
import type { Test } from 'tap';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { findOnPath, findPostgresBin, installHint } = require('../scripts/dev-setup.js') as {
  findOnPath(program: string): string | null;
  findPostgresBin(): string | null;
  installHint(pkg: string): string;
};

/** A port free right now on 127.0.0.1 (servers that take no port 0 get one this way). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = nodeNet.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as nodeNet.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Resolves when `pattern` appears in the child's output; rejects if it exits first or after `ms`. */
function waitForOutput(child: ChildProcess, pattern: RegExp, ms: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => done(new Error(`${what} did not start within ${ms} ms:\n${output}`)), ms);
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (pattern.test(output)) done();
    };
    const onExit = (code: number | null) => done(new Error(`${what} exited (${code}) before it was ready:\n${output}`));
    const done = (err?: Error) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err); else resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

function stopOnTeardown(t: Test, child: ChildProcess, dir: string, signal: NodeJS.Signals): void {
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
}

/**
 * The environment for the servers: without the sanitizer runtimes the ASan
 * lane preloads into node (.ci/lanes/20-addon-asan.sh). The servers are not
 * the code under test, and postgres does not run under a preloaded ASan.
 */
function serverEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.LD_PRELOAD;
  return env;
}

export async function startRedis(t: Test): Promise<{ port: number }> {
  const redisServer = findOnPath('redis-server');
  if (!redisServer) throw new Error(`redis-server not found: ${installHint('redis-server')}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iocp-net-redis-'));
  const port = await freePort();
  const child = spawn(redisServer, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: ['ignore', 'pipe', 'pipe'], env: serverEnv() });
  stopOnTeardown(t, child, dir, 'SIGTERM');
  await waitForOutput(child, /Ready to accept connections/, 20_000, `redis-server on port ${port}`);
  return { port };
}

/** PostgreSQL refuses to run as root: as root, initdb and postgres run as Debian's `postgres` user. */
function postgresUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

export async function startPostgres(t: Test): Promise<{ port: number; user: string }> {
  const bin = findPostgresBin();
  if (!bin) throw new Error(`PostgreSQL (initdb, postgres) not found in /usr/lib/postgresql/*/bin: ${installHint('postgresql')}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iocp-net-pg-'));
  const owner = postgresUser();
  if (owner.uid !== undefined) fs.chownSync(dir, owner.uid, owner.gid!);
  const data = path.join(dir, 'data');
  const init = spawnSync(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'],
    { ...owner, encoding: 'utf8', cwd: dir, env: serverEnv() });
  if (init.status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status}):\n${init.stdout}${init.stderr}${init.error ?? ''}`);
  }
  const port = await freePort();
  const child = spawn(path.join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1',
    '-c', 'fsync=off', '-c', 'full_page_writes=off'], { ...owner, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: serverEnv() });
  stopOnTeardown(t, child, dir, 'SIGINT'); // SIGINT: postgres's fast shutdown
  await waitForOutput(child, /ready to accept connections/, 30_000, `postgres on port ${port}`);
  return { port, user: 'postgres' };
}
