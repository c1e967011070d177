'use strict';
// Child processes of the benchmark: pinned to a CPU, bounded in time, tracked so
// that every one of them is killed when the run ends (normally or not).
const { spawn, spawnSync } = require('node:child_process');

const live = new Set();

function killAll() {
  for (const child of live) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
  live.clear();
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => { killAll(); process.exit(130); });
}

const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

// Wraps a command so it runs with the fd limit raised to the hard limit and, when
// taskset is available, pinned to `cpu`. Both wrappers exec, so the pid we get is
// the pid of the real program (its /proc/<pid>/stat is what loadgen reads).
function wrap(cmd, args, cpu) {
  const pinned = hasTaskset && cpu != null ? ['taskset', '-c', String(cpu), cmd, ...args] : [cmd, ...args];
  return ['sh', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', 'sh', ...pinned]];
}

// Splits a stream into lines and calls onLine for each.
function onLines(stream, onLine) {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    pending += chunk;
    let nl;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      onLine(line);
    }
  });
}

// A long-running process that speaks JSON lines on stdout (our servers).
class LineProcess {
  constructor(cmd, args, { cpu, env } = {}) {
    const [c, a] = wrap(cmd, args, cpu);
    this.child = spawn(c, a, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    live.add(this.child);
    this.pid = this.child.pid;
    this.stderr = '';
    this.lines = [];
    this.waiters = [];
    this.exited = false;
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (d) => { if (this.stderr.length < 8192) this.stderr += d; });
    this.child.stdin.on('error', () => {});
    onLines(this.child.stdout, (line) => {
      let msg;
      try { msg = JSON.parse(line); } catch { return; }
      this.lines.push(msg);
      this.poll();
    });
    this.child.on('exit', (code, signal) => {
      live.delete(this.child);
      this.exited = true;
      this.exitInfo = signal || `exit code ${code}`;
      this.poll();
    });
  }

  poll() {
    for (const w of [...this.waiters]) {
      const idx = this.lines.findIndex(w.match);
      if (idx >= 0) {
        const [msg] = this.lines.splice(idx, 1);
        this.waiters.splice(this.waiters.indexOf(w), 1);
        clearTimeout(w.timer);
        w.resolve(msg);
      } else if (this.exited) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        clearTimeout(w.timer);
        w.reject(new Error(`process exited (${this.exitInfo}): ${this.stderr.trim().slice(0, 500)}`));
      }
    }
  }

  // Resolves with the first JSON line for which match(msg) is true.
  waitFor(match, timeoutMs, what) {
    return new Promise((resolve, reject) => {
      const w = { match, resolve, reject };
      w.timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${this.stderr.trim().slice(0, 500)}`));
      }, timeoutMs);
      this.waiters.push(w);
      this.poll();
    });
  }

  send(line) {
    this.child.stdin.write(line + '\n');
  }

  // Closes stdin (our processes exit on EOF), then kills after graceMs.
  async stop(graceMs = 2000) {
    if (this.exited) return;
    this.child.stdin.end();
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  kill() {
    if (!this.exited) this.child.kill('SIGKILL');
    return this.exited ? Promise.resolve() : new Promise((resolve) => this.child.once('exit', resolve));
  }
}

// Runs a command to completion within timeoutMs; resolves { code, stdout, stderr }.
// onSpawn(pid) is called once the process exists.
function runBounded(cmd, args, { cpu, timeoutMs, env, onSpawn } = {}) {
  const [c, a] = wrap(cmd, args, cpu);
  return new Promise((resolve) => {
    const child = spawn(c, a, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    live.add(child);
    if (onSpawn) onSpawn(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { if (stderr.length < 16384) stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      resolve({ code, signal, stdout, stderr, pid: child.pid });
    });
  });
}

// utime + stime of a process in seconds, or null if it is gone.
function cpuSeconds(pid) {
  try {
    const stat = require('node:fs').readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): utime is field 14, stime field 15, in
    // USER_HZ ticks, which Linux reports as 100 per second on every arch.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

module.exports = { LineProcess, runBounded, killAll, hasTaskset, cpuSeconds, live };
