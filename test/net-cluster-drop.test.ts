// server.dropMaxConnection (node 22.12): in a cluster worker at its
// maxConnections, node's cluster code takes the connection and the worker's
// server drops it with 'drop', instead of handing it back to the primary. It
// reads the flag from the worker's server, so ours must be the server node's
// cluster code finds. On a node without the flag, the worker serves it.
import t from 'tap';
import type { Test } from 'tap';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { compare, impls, nodeImpl } from './impl';

const app = path.join(__dirname, 'fixtures', 'cluster-drop-app.js');

function run(netPath: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [app], { env: { ...process.env, NET_PATH: netPath }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout: stdout.trim(), stderr }); });
  });
}

const title = 'cluster worker at maxConnections 0 with dropMaxConnection';
const check = (t: Test, r: Awaited<ReturnType<typeof run>>) => {
  t.equal(r.code, 0);
  t.equal(r.stderr, '');
  t.match(r.stdout, /^(drop localAddress,localPort,localFamily,remoteAddress,remotePort,remoteFamily|connection)$/);
};

if (process.platform !== 'win32') {
  compare(t, title, (_net, impl) => run(impl.requirePath), check, 30_000);
} else {
  // Windows: iocp-net refuses a worker's listen() through the primary with
  // ENOTSUP (README "Windows": node's handles have no descriptor there), so
  // only node.exe's column can show what the worker's server does.
  for (const impl of impls) {
    t.test(`${title} [${impl.name}]`, { timeout: 30_000 }, async (t) => {
      const r = await run(impl.requirePath);
      if (impl === nodeImpl) {
        check(t, r);
        return;
      }
      t.equal(r.code, 0);
      t.equal(r.stdout, 'error ENOTSUP listen', "win32: the worker's listen() fails with ENOTSUP");
    });
  }
}
