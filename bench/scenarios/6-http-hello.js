'use strict';
// Scenario 6: HTTP hello-world, 100 keep-alive connections, one request in
// flight each. node:net: http.createServer().listen(); iocp-net: an iocp-net
// server that hands each socket to an http.Server via emit('connection').
// Load: wrk (-t1) when installed, otherwise loadgen's own HTTP/1.1 client.
const { runBounded, cpuSeconds } = require('../lib/proc.js');
const { serverUsPer } = require('../lib/stats.js');

function parseWrkDuration(value, unit) {
  const scale = { us: 1, ms: 1e3, s: 1e6, m: 6e7 }[unit];
  return Number(value) * scale;
}

// wrk takes whole seconds; it is pinned to the client CPU with taskset.
function wrk(h, server, seconds, onSpawn) {
  const args = ['-t1', '-c100', `-d${seconds}s`, '--latency', `http://127.0.0.1:${server.port}/`];
  if (h.clientCpu != null) args.unshift('-c', String(h.clientCpu), 'wrk');
  const cmd = h.clientCpu != null ? 'taskset' : 'wrk';
  return runBounded(cmd, args, { timeoutMs: (seconds + 20) * 1000, onSpawn });
}

async function runWrk(h, server) {
  if (h.warmup > 0) await wrk(h, server, Math.max(1, Math.round(h.warmup))); // JIT warm-up, discarded
  const dur = Math.max(1, Math.round(h.duration));
  // wrk's own CPU time: sampled while it runs (its /proc entry is gone at exit).
  let wrkPid = null;
  let wrkCpu = null;
  const sampler = setInterval(() => { if (wrkPid != null) wrkCpu = cpuSeconds(wrkPid) ?? wrkCpu; }, 50);
  const cpu0 = cpuSeconds(server.pid);
  const t0 = process.hrtime.bigint();
  const r = await wrk(h, server, dur, (pid) => { wrkPid = pid; });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu1 = cpuSeconds(server.pid);
  clearInterval(sampler);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(r.stdout);
  const p50 = /50%\s+([\d.]+)(us|ms|s|m)\b/.exec(r.stdout);
  const p99 = /99%\s+([\d.]+)(us|ms|s|m)\b/.exec(r.stdout);
  const bad = /Non-2xx or 3xx responses:\s+(\d+)/.exec(r.stdout);
  const sockErr = /Socket errors:.*/.exec(r.stdout);
  if (r.code !== 0 || !rps) throw new Error(`wrk failed: ${(r.stderr || r.stdout).trim().slice(0, 300)}`);
  if (bad) throw new Error(`wrk: ${bad[1]} non-2xx responses`);
  const serverCpu = cpu0 != null && cpu1 != null ? (100 * (cpu1 - cpu0)) / secs : null;
  return {
    rps: Number(rps[1]),
    serverUs: serverUsPer({ server_cpu: serverCpu }, Number(rps[1])),
    p50: p50 ? parseWrkDuration(p50[1], p50[2]) : null,
    p99: p99 ? parseWrkDuration(p99[1], p99[2]) : null,
    serverCpu,
    clientCpu: wrkCpu != null ? (100 * wrkCpu) / secs : null,
    note: sockErr ? sockErr[0] : undefined,
  };
}

module.exports = {
  cases: [{
    id: 'http-100',
    title: '6. HTTP hello-world, 100 conns',
    ceiling: true,
    metrics: [
      { key: 'rps', label: 'req/s', better: 'higher' },
      { key: 'serverUs', label: 'server CPU us/req', better: 'lower' },
      { key: 'p50', label: 'p50 latency us', better: 'lower' },
      { key: 'p99', label: 'p99 latency us', better: 'lower' },
    ],
    async run(h, impl) {
      const server = await h.startServer(impl, { kind: 'http' });
      try {
        if (h.httpClient === 'wrk') return await runWrk(h, server);
        const r = await h.loadgen(server, ['--mode', 'http', '--conns', '100']);
        const rps = r.msgs / r.seconds;
        return { rps, serverUs: serverUsPer(r, rps), p50: r.p50_us, p99: r.p99_us, clientCpu: r.client_cpu, serverCpu: r.server_cpu };
      } finally {
        await server.stop();
      }
    },
  }],
};
