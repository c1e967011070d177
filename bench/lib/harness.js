'use strict';
// What scenarios use to run things: the C tools, the implementations (node:net,
// iocp-net per backend, C ceiling) as servers, and the load generator.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { LineProcess, runBounded, hasTaskset } = require('./proc.js');

const BENCH = path.resolve(__dirname, '..');
const ROOT = path.resolve(BENCH, '..');
const OUT = path.join(BENCH, 'out');
const TOOLS = { loadgen: 'loadgen.c', echo_ceiling: 'echo_ceiling.c' };

// Compiles the C tools into bench/out/ when missing or older than their source.
function buildTools() {
  fs.mkdirSync(OUT, { recursive: true });
  const cc = process.env.CC || 'cc';
  const built = {};
  for (const [name, src] of Object.entries(TOOLS)) {
    const srcPath = path.join(BENCH, 'native', src);
    const bin = path.join(OUT, name);
    const stale = !fs.existsSync(bin) || fs.statSync(bin).mtimeMs < fs.statSync(srcPath).mtimeMs;
    if (stale) {
      const r = spawnSync(cc, ['-O2', '-Wall', '-Wextra', '-o', bin, srcPath], { encoding: 'utf8', timeout: 60000 });
      if (r.status !== 0) throw new Error(`building ${src} failed:\n${r.stderr || r.error}`);
      if (r.stderr.trim()) process.stderr.write(r.stderr);
    }
    built[name] = bin;
  }
  return built;
}

// The implementations a run can compare. The iocp-net variants are one build
// run with a different IOCP_NET_BACKEND in the server's environment; plain
// iocp-net leaves the environment alone (the engine's default choice, or the
// caller's IOCP_NET_BACKEND). `short` names the ratio columns (uring/node).
const IMPLS = {
  node: { label: 'node:net', net: 'node', short: 'node' },
  'iocp-net': { label: 'iocp-net', net: 'iocp-net', short: 'iocp', env: {} },
  'iocp-uring': { label: 'iocp-uring', net: 'iocp-net', short: 'uring', env: { IOCP_NET_BACKEND: 'uring' } },
  'iocp-epoll': { label: 'iocp-epoll', net: 'iocp-net', short: 'epoll', env: { IOCP_NET_BACKEND: 'epoll' } },
  ceiling: { label: 'C ceiling', short: 'ceil' },
};
const isIocp = (impl) => IMPLS[impl].net === 'iocp-net';

// Whether an iocp-net variant can be benchmarked: built, and loads and listens
// in a child with the variant's environment (so a backend that is not built
// yet is reported, not run). IOCP_NET_PATH (see servers/common.js) skips the
// file checks.
function iocpNetStatus(impl = 'iocp-net') {
  const env = { ...process.env, ...IMPLS[impl].env };
  const dist = process.env.IOCP_NET_PATH || path.join(ROOT, 'dist', 'net.js');
  const addon = path.join(ROOT, 'build', 'Release', 'iocp_net.node');
  if (process.env.IOCP_NET_PATH) { /* checked by loading it below */ } else if (!fs.existsSync(dist)) return { ok: false, reason: 'dist/net.js missing (npm run build)' };
  if (!fs.existsSync(addon)) return { ok: false, reason: 'build/Release/iocp_net.node missing (npm run build)' };
  // Listen once, and report the engine's backend (uring/epoll/...) when it can be read.
  const probe = `
    require(${JSON.stringify(dist)}).createServer().listen(0, '127.0.0.1', function () {
      let backend = 'unknown';
      try { backend = require(require('node:path').join(${JSON.stringify(path.dirname(dist))}, 'engine.js')).getEngine().backend; } catch {}
      console.log(backend);
      this.close();
    });`;
  const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8', timeout: 10000, env });
  if (r.status !== 0) {
    const lines = (r.stderr || String(r.error)).trim().split('\n');
    const errorLine = lines.find((l) => /^\w*Error\b|Error:/.test(l));
    const shown = errorLine ? errorLine.trim().replace(/^\w*Error: (iocp-net: )?/, '') : lines.slice(0, 3).join(' | ');
    return { ok: false, reason: `cannot load/listen: ${shown}` };
  }
  const backend = r.stdout.trim() || 'unknown';
  // An engine that quietly ran another backend would put the wrong numbers in the column.
  const wanted = env.IOCP_NET_BACKEND;
  if (wanted && backend !== 'unknown' && backend !== wanted) return { ok: false, reason: `asked for ${wanted}, the engine ran ${backend}` };
  return { ok: true, backend };
}

function createHarness({ duration, warmup, cpus, tools }) {
  const serverCpu = cpus >= 2 ? 0 : null;
  const clientCpu = cpus >= 2 ? 1 : null;

  // Starts a server for `impl`; kind is 'echo', 'http' or 'multicore' (JS
  // servers) and mode the server mode. Resolves once it prints its port.
  // `pinned: false` leaves it free to use every CPU (scenario 10).
  async function startServer(impl, { kind = 'echo', mode = 'echo', nodeFlags = [], extra = [], pinned = true } = {}) {
    let proc;
    if (impl === 'ceiling') {
      const cmode = kind === 'http' ? 'http' : mode;
      // Without taskset the C tools pin themselves (sched_setaffinity).
      const selfPin = !hasTaskset && serverCpu != null ? ['--cpu', String(serverCpu)] : [];
      proc = new LineProcess(tools.echo_ceiling, ['--port', '0', '--mode', cmode, ...extra, ...selfPin], { cpu: serverCpu });
    } else {
      const script = path.join(BENCH, 'servers', `${kind}.js`);
      proc = new LineProcess(process.execPath, [...nodeFlags, script, '--port', '0', '--mode', mode, ...extra],
        { cpu: pinned ? serverCpu : null, env: { NET_IMPL: IMPLS[impl].net, ...IMPLS[impl].env } });
    }
    try {
      const ready = await proc.waitFor((m) => typeof m.port === 'number', 15000, `${impl} server to listen`);
      proc.port = ready.port;
    } catch (err) {
      await proc.kill();
      throw err;
    }
    return proc;
  }

  // Runs loadgen to completion against a server and returns its JSON result
  // (`pinned: false`: on any CPU).
  async function loadgen(server, args, { dur = duration, warm = warmup, pinned = true } = {}) {
    const argv = ['--port', String(server.port), '--duration', String(dur), '--warmup', String(warm),
      '--server-pid', String(server.pid), ...args];
    if (clientCpu != null && pinned) argv.push('--cpu', String(clientCpu));
    const r = await runBounded(tools.loadgen, argv, { timeoutMs: (dur + warm + 20) * 1000 });
    const last = r.stdout.trim().split('\n').pop();
    if (r.code !== 0 || !last) throw new Error(`loadgen failed (${r.signal || r.code}): ${r.stderr.trim().slice(0, 500)}`);
    return JSON.parse(last);
  }

  // Starts loadgen in the background (idle mode: it holds connections until
  // its stdin closes). Returns the LineProcess.
  function loadgenBackground(server, args, { dur = 120 } = {}) {
    const argv = ['--port', String(server.port), '--duration', String(dur), '--warmup', '0',
      '--server-pid', String(server.pid), ...args];
    if (clientCpu != null) argv.push('--cpu', String(clientCpu));
    return new LineProcess(tools.loadgen, argv, {});
  }

  return { duration, warmup, serverCpu, clientCpu, tools, startServer, loadgen, loadgenBackground };
}

function machine() {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpuModel: cpus[0] ? cpus[0].model.trim() : 'unknown',
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    memGiB: (os.totalmem() / 2 ** 30).toFixed(1),
  };
}

module.exports = { buildTools, iocpNetStatus, createHarness, machine, IMPLS, isIocp, ROOT, BENCH, OUT };
