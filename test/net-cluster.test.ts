// cluster: workers that listen() through the primary, with real processes
// (test/fixtures/cluster-app.js), under both scheduling policies. The
// primary is node's cluster module (it listens with node:net); the workers
// run the implementation under test. Connections reach the workers' servers
// as that implementation's sockets, server.close() in a worker tells the
// primary (the port is refused once every worker closed), cluster.disconnect()
// closes the workers' servers, and everything exits with code 0.
import t from 'tap';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { compare, impls, nodeImpl } from './impl';
import type { Test } from 'tap';

const app = path.join(__dirname, 'fixtures', 'cluster-app.js');

function runApp(netPath: string, scenario: string, policy: string): Promise<unknown> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [app], {
      env: { ...process.env, NET_PATH: netPath, SCENARIO: scenario, POLICY: policy },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const lines = stdout.trim().split('\n');
      let transcript: unknown = null;
      try {
        transcript = JSON.parse(lines[lines.length - 1]);
      } catch {
        transcript = { unparsed: lines[lines.length - 1] };
      }
      resolve({ code, signal, stderr, transcript, workerCloses: lines.filter((l) => l.startsWith('worker server close')) });
    });
  });
}

/**
 * Windows: a cluster worker's listen() through the primary is not supported
 * by iocp-net (README, Windows): node's handles there have no descriptor
 * (handle.fd is -1) and the engine cannot take a SOCKET node's libuv owns.
 * It fails at listen() with ENOTSUP instead of serving nothing. So on win32
 * node.exe's own column runs each scenario and its checks as on Linux, and
 * iocp-net's asserts exactly that error (the primary's socket is never
 * asked for: the worker reports the error, the primary disconnects it).
 */
function clusterTest(title: string, scenario: string, policy: string, check: (t: Test, r: any) => void): void {
  if (process.platform !== 'win32') {
    compare(t, title, (_net, impl) => runApp(impl.requirePath, scenario, policy), check, 30_000);
    return;
  }
  for (const impl of impls) {
    t.test(`${title} [${impl.name}]`, { timeout: 30_000 }, async (t) => {
      if (impl === nodeImpl) {
        check(t, await runApp(impl.requirePath, scenario, policy));
        return;
      }
      const r: any = await runApp(impl.requirePath, 'inuse', policy);
      t.equal(r.code, 0, 'primary exits with 0');
      // Not the Linux behaviour (serving): on Windows iocp-net refuses a worker's listen() through the primary.
      t.strictSame(r.transcript.workers, { 1: [{ error: { code: 'ENOTSUP', syscall: 'listen', message: 'listen ENOTSUP 127.0.0.1:PORT', address: '127.0.0.1', port: 'PORT' } }] },
        "win32: the worker's listen() fails with ENOTSUP (no descriptor to take from node's handle)");
      t.strictSame(r.transcript.exits, ['0 null'], 'the worker exits with 0');
    });
  }
}

for (const policy of ['rr', 'none']) {
  clusterTest(`cluster (${policy}): two workers serve, then close their servers`, 'echo', policy,
    (t, r: any) => {
      t.equal(r.code, 0, 'primary exits with 0');
      t.equal(r.stderr, '');
      t.equal(r.transcript.replies.length, 20, 'every connection answered');
      t.ok(r.transcript.replies.every((x: string) => x.endsWith(' true')), "every connection is the workers' net.Socket");
      t.equal(r.transcript.workersAnswering, policy === 'none' ? true : 2);
      t.equal(r.transcript.afterClose, 'error ECONNREFUSED', 'nothing listens once every worker closed');
      t.strictSame(r.transcript.exits, ['0 null', '0 null']);
      t.strictSame(r.workerCloses, ['worker server close false', 'worker server close false']);
    });

  clusterTest(`cluster (${policy}): cluster.disconnect() closes the workers' servers`, 'disconnect', policy,
    (t, r: any) => {
      t.equal(r.code, 0);
      t.strictSame(r.transcript.replies, ['a|true', 'b|true']);
      t.equal(r.transcript.disconnected, 0);
      t.strictSame(r.workerCloses, ['worker server close false', 'worker server close false']);
    });

  // On win32 iocp-net's worker fails before the primary binds (clusterTest).
  clusterTest(`cluster (${policy}): the primary cannot bind: the worker's listen fails`, 'inuse', policy,
    (t, r: any) => {
      t.equal(r.code, 0, `primary exits with 0 (stderr: ${r.stderr})`);
      t.strictSame(r.transcript.workers, { 1: [{ error: { code: 'EADDRINUSE', syscall: 'bind', message: 'bind EADDRINUSE 127.0.0.1:PORT', address: '127.0.0.1', port: 'PORT' } }] });
    });
}

// node's cluster module checks maxConnections on the worker's server before
// taking a connection (it finds the server through node's owner symbol on
// the handle): a worker at its limit gets none, the other takes them.
clusterTest('cluster (rr): a worker at maxConnections is handed no more connections', 'maxconn', 'rr',
  (t, r: any) => {
    t.equal(r.code, 0);
    t.strictSame(r.transcript.replies, ['served', 'served', 'served', 'served', 'served', 'served']);
    t.equal(r.transcript.byWorkerOne, 1);
    t.strictSame(r.transcript.exits, ['0 null', '0 null']);
  });
