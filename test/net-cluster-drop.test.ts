// server.dropMaxConnection (node 22.12): in a cluster worker at its
// maxConnections, node's cluster code takes the connection and the worker's
// server drops it with 'drop', instead of handing it back to the primary. It
// reads the flag from the worker's server, so ours must be the server node's
// cluster code finds. On a node without the flag, the worker serves it.
import t from 'tap';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { compare } from './impl';

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

compare(t, 'cluster worker at maxConnections 0 with dropMaxConnection', (_net, impl) => run(impl.requirePath), (t, r) => {
  t.equal(r.code, 0);
  t.equal(r.stderr, '');
  t.match(r.stdout, /^(drop localAddress,localPort,localFamily,remoteAddress,remotePort,remoteFamily|connection)$/);
}, 30_000);
