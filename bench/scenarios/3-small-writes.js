'use strict';
// Scenario 3: many small writes. 64 connections; per turn the client sends one
// byte and the server answers with 100 separate 32-byte write() calls (the C
// ceiling answers with one 3,200-byte write: what perfect coalescing gives).
// Measured: MB/s and 32-byte messages/s; once per implementation, outside the
// timed rounds, the server's syscalls per message over a short window under
// `strace -c -f` (strace slows the server down; only the ratio is meaningful),
// or, without strace, `perf stat -e raw_syscalls:sys_enter` (total only).
const fs = require('node:fs');
const path = require('node:path');
const { LineProcess } = require('../lib/proc.js');
const { OUT } = require('../lib/harness.js');
const { serverUsPer } = require('../lib/stats.js');

const CHUNKS = 100;
const CHUNK = 32;
const TURN_BYTES = CHUNKS * CHUNK;

function serverOptions(impl) {
  return impl === 'ceiling'
    ? { mode: 'burst', extra: ['--burst', String(TURN_BYTES)] }
    : { mode: 'burst', extra: ['--burst', String(CHUNKS), '--chunk', String(CHUNK)] };
}

const loadArgs = ['--mode', 'burst', '--conns', '64', '--expect', String(TURN_BYTES), '--chunk', String(CHUNK)];

// Parses the "total" line of `strace -c`: "100.00  secs  usecs/call  calls  [errors] total".
function parseStraceSummary(text) {
  const rows = {};
  let total = null;
  for (const line of text.split('\n')) {
    const t = line.trim().split(/\s+/);
    if (t.length < 5 || !/^\d+\.\d+$/.test(t[0])) continue;
    const name = t[t.length - 1];
    const calls = Number(t[3]);
    if (name === 'total') total = calls;
    else rows[name] = calls;
  }
  return { total, rows };
}

// perf's CSV line: "<count>,,raw_syscalls:sys_enter,...".
function parsePerfCount(text) {
  const m = /^(\d+),[^,]*,raw_syscalls:sys_enter/m.exec(text);
  return m ? Number(m[1]) : null;
}

async function syscallsPerMessageWithPerf(h, impl) {
  const server = await h.startServer(impl, serverOptions(impl));
  const counter = new LineProcess('perf', ['stat', '-x,', '-e', 'raw_syscalls:sys_enter', '-p', String(server.pid)], {});
  try {
    await new Promise((resolve) => setTimeout(resolve, 500));
    if (counter.exited) return { note: `perf failed: ${counter.stderr.trim().slice(0, 200)}` };
    const r = await h.loadgen(server, loadArgs, { dur: Math.min(h.duration, 2), warm: 0 });
    counter.child.kill('SIGINT');
    await new Promise((resolve) => (counter.exited ? resolve() : counter.child.once('exit', resolve)));
    const total = parsePerfCount(counter.stderr);
    if (!total || !r.msgs) return { note: 'no perf count' };
    return { syscallsPerMsg: total / r.msgs, note: 'syscalls counted with perf' };
  } finally {
    await counter.kill();
    await server.stop();
  }
}

async function syscallsPerMessage(h, impl) {
  if (!h.hasStrace) {
    if (h.hasPerf) return syscallsPerMessageWithPerf(h, impl);
    return { note: 'neither strace nor perf available: no syscall count' };
  }
  const server = await h.startServer(impl, serverOptions(impl));
  const outFile = path.join(OUT, `strace-${impl}-${process.pid}.txt`);
  const tracer = new LineProcess('strace', ['-c', '-f', '-p', String(server.pid), '-o', outFile], {});
  try {
    await new Promise((resolve) => setTimeout(resolve, 700)); // let strace attach every thread
    if (tracer.exited) return { note: `strace failed: ${tracer.stderr.trim().slice(0, 200)}` };
    const r = await h.loadgen(server, loadArgs, { dur: Math.min(h.duration, 2), warm: 0 });
    tracer.child.kill('SIGINT');
    await new Promise((resolve) => (tracer.exited ? resolve() : tracer.child.once('exit', resolve)));
    const { total, rows } = parseStraceSummary(fs.readFileSync(outFile, 'utf8'));
    if (!total || !r.msgs) return { note: 'no strace summary' };
    const top = Object.entries(rows).sort((a, b) => b[1] - a[1]).slice(0, 3)
      .map(([name, calls]) => `${name} ${(calls / r.msgs).toFixed(3)}`).join(', ');
    return { syscallsPerMsg: total / r.msgs, note: `per msg: ${top}` };
  } finally {
    await tracer.kill();
    await server.stop();
    fs.rmSync(outFile, { force: true });
  }
}

module.exports = {
  cases: [{
    id: 'smallwrites-64',
    title: '3. 100 x 32 B writes per turn, 64 conns',
    ceiling: true,
    metrics: [
      { key: 'mbps', label: 'MB/s', better: 'higher' },
      { key: 'msgps', label: '32 B msg/s', better: 'higher' },
      { key: 'serverUs', label: 'server CPU us/msg', better: 'lower' },
      { key: 'syscallsPerMsg', label: 'syscalls/msg (strace)', better: 'lower', once: true },
    ],
    async run(h, impl) {
      const server = await h.startServer(impl, serverOptions(impl));
      try {
        const r = await h.loadgen(server, loadArgs);
        const msgps = r.msgs / r.seconds;
        return { mbps: r.bytes / r.seconds / 1e6, msgps, serverUs: serverUsPer(r, msgps), clientCpu: r.client_cpu, serverCpu: r.server_cpu };
      } finally {
        await server.stop();
      }
    },
    once: syscallsPerMessage,
  }],
};
