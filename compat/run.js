#!/usr/bin/env node
// `npm run compat`: runs every ported Node test (compat/{parallel,sequential,
// pummel}) in its own process against node:net and against iocp-net
// (NET_IMPL=node / NET_IMPL=iocp-net), prints a table and ends with
//   compat: N passed, N failed
// counted over the iocp-net column for the tests that pass on node:net.
//
// Usage: node compat/run.js [--impl=node|iocp-net] [--timeout=S] [--verbose] [filter...]
//   filter: substring of the test path (a test runs if any filter matches).
//   --timeout=S: per-run timeout in seconds for parallel/ and sequential/
//              (default 60; pummel/ gets 3x).
//   --verbose: print the output tail of every failed run (default: only of
//              runs that fail on iocp-net while passing on node:net, and of
//              runs that fail on node:net).
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const compatRoot = __dirname;
const distNet = path.join(compatRoot, '..', 'dist', 'net.js');
const IMPLS = ['node', 'iocp-net'];
const IMPL_LABEL = { node: 'node:net', 'iocp-net': 'iocp-net' };
const SUITES = [
  // exclusive: uses fixed ports (common.PORT) or heavy load, so it runs alone.
  { dir: 'parallel', exclusive: false, timeoutMs: 60_000 },
  { dir: 'sequential', exclusive: true, timeoutMs: 60_000 },
  { dir: 'pummel', exclusive: true, timeoutMs: 180_000 },
];
const MAX_JOBS = 2;
const OUTPUT_TAIL_LINES = 20;

function parseArgs(argv) {
  const opts = { impls: IMPLS, filters: [], verbose: false, timeoutMs: undefined };
  for (const arg of argv) {
    if (arg.startsWith('--impl=')) {
      const impl = arg.slice('--impl='.length);
      if (!IMPLS.includes(impl)) {
        console.error(`unknown implementation "${impl}" (expected ${IMPLS.join(' or ')})`);
        process.exit(2);
      }
      opts.impls = [impl];
    } else if (arg.startsWith('--timeout=')) {
      const secs = Number(arg.slice('--timeout='.length));
      if (!(secs > 0)) {
        console.error(`bad --timeout value in ${arg}`);
        process.exit(2);
      }
      opts.timeoutMs = secs * 1000;
    } else if (arg === '--verbose' || arg === '-v') {
      opts.verbose = true;
    } else if (arg === '--help' || arg === '-h') {
      console.log('usage: node compat/run.js [--impl=node|iocp-net] [--timeout=S] [--verbose] [filter...]');
      process.exit(0);
    } else if (arg.startsWith('-')) {
      console.error(`unknown option ${arg}`);
      process.exit(2);
    } else {
      opts.filters.push(arg);
    }
  }
  return opts;
}

function discoverTests(filters, timeoutMs) {
  const tests = [];
  for (const suite of SUITES) {
    const dir = path.join(compatRoot, suite.dir);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir).sort()) {
      if (!/^test-.*\.(js|mjs)$/.test(name)) continue;
      const id = `${suite.dir}/${name}`;
      if (filters.length && !filters.some((f) => id.includes(f))) continue;
      const test = { id, file: path.join(dir, name), ...suite };
      if (timeoutMs) test.timeoutMs = suite.dir === 'pummel' ? 3 * timeoutMs : timeoutMs;
      tests.push(test);
    }
  }
  return tests;
}

// Node options a test asks for with a `// Flags: --x --y` comment.
function testFlags(file) {
  const head = fs.readFileSync(file, 'utf8').slice(0, 2000);
  const m = /^\/\/ Flags:\s+(--.*)$/m.exec(head);
  return m ? m[1].trim().split(/\s+/) : [];
}

// A TCP port free on both IPv4 and IPv6 loopback, for common.PORT. Prefers
// Node's usual 12346 so failures are easy to compare with Node's own runs.
function portIsFree(port, host) {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

async function pickCommonPort() {
  if (process.env.NODE_COMMON_PORT) return Number(process.env.NODE_COMMON_PORT);
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = attempt === 0 ? 12346 : 20000 + Math.floor(Math.random() * 30000);
    if (await portIsFree(port, '127.0.0.1') && await portIsFree(port, '::1')) return port;
  }
  return 12346;
}

function tailOf(text, lines) {
  const all = text.trimEnd().split('\n');
  return all.slice(-lines).join('\n');
}

// Runs one test file against one implementation. Resolves to
// { status: 'pass'|'fail'|'skip', reason, ms, output }.
function runOne(test, impl, commonPort, retried = false) {
  if (impl === 'iocp-net' && !fs.existsSync(distNet)) {
    return Promise.resolve({ status: 'fail', reason: 'dist/net.js missing (not built)', ms: 0, output: '' });
  }
  return new Promise((resolve) => {
    const started = Date.now();
    const args = [...testFlags(test.file), test.file];
    let child;
    try {
      child = spawn(process.execPath, args, {
        cwd: compatRoot,
        env: { ...process.env, NET_IMPL: impl, NODE_COMMON_PORT: String(commonPort) },
        stdio: ['ignore', 'pipe', 'pipe'],
        // Own process group, so a timeout kills anything the test spawned too.
        detached: process.platform !== 'win32',
      });
    } catch (err) {
      // A process that could not start (Wine's CreateProcess fails now and
      // then on a loaded machine: spawn UNKNOWN) is tried once more, then is
      // this run's failure; the other runs go on.
      if (!retried) {
        setTimeout(() => resolve(runOne(test, impl, commonPort, true)), 1000);
      } else {
        resolve({ status: 'fail', reason: `spawn ${err.code}`, ms: Date.now() - started, output: String(err) });
      }
      return;
    }
    let output = '';
    const collect = (chunk) => {
      output += chunk;
      if (output.length > 1 << 20) output = output.slice(-(1 << 19));
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);

    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (process.platform === 'win32') child.kill('SIGKILL');
        else process.kill(-child.pid, 'SIGKILL');
      } catch { /* already gone */ }
    }, test.timeoutMs);

    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = Date.now() - started;
      const skipped = /^1\.\.0 # Skipped: (.*)$/m.exec(output);
      if (timedOut) {
        resolve({ status: 'fail', reason: `timeout after ${test.timeoutMs / 1000}s`, ms, output });
      } else if (code === 0 && skipped) {
        resolve({ status: 'skip', reason: skipped[1].trim(), ms, output });
      } else if (code === 0) {
        resolve({ status: 'pass', reason: '', ms, output });
      } else {
        resolve({ status: 'fail', reason: signal ? `killed by ${signal}` : `exit ${code}`, ms, output });
      }
    });
  });
}

// Schedules (test, impl) runs: at most MAX_JOBS at once, and an exclusive
// test's runs only when nothing else runs.
async function runAll(tests, impls, commonPort, onDone) {
  const queue = [];
  for (const test of tests) for (const impl of impls) queue.push({ test, impl });
  const results = new Map(tests.map((t) => [t.id, {}]));

  await new Promise((resolveAll) => {
    let running = 0;
    let exclusiveRunning = false;
    const pump = () => {
      if (queue.length === 0 && running === 0) return resolveAll();
      while (queue.length > 0 && running < MAX_JOBS && !exclusiveRunning) {
        const next = queue[0];
        if (next.test.exclusive && running > 0) break;
        queue.shift();
        running++;
        if (next.test.exclusive) exclusiveRunning = true;
        runOne(next.test, next.impl, commonPort).then((result) => {
          running--;
          if (next.test.exclusive) exclusiveRunning = false;
          results.get(next.test.id)[next.impl] = result;
          onDone(next.test, next.impl, result);
          pump();
        });
      }
    };
    pump();
  });
  return results;
}

function cell(result) {
  if (!result) return '-';
  if (result.status === 'pass') return 'pass';
  if (result.status === 'skip') {
    const reason = result.reason.length > 40 ? `${result.reason.slice(0, 37)}...` : result.reason;
    return `skip (${reason})`;
  }
  return `FAIL (${result.reason})`;
}

function seconds(result) {
  return result ? `${(result.ms / 1000).toFixed(1)}s` : '-';
}

function printTable(tests, impls, results) {
  const rows = [['test', ...impls.map((i) => IMPL_LABEL[i]), 'time']];
  for (const test of tests) {
    const r = results.get(test.id);
    rows.push([test.id, ...impls.map((i) => cell(r[i])), impls.map((i) => seconds(r[i])).join(' / ')]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const line = (row) => row.map((v, c) => v.padEnd(widths[c])).join('  ').trimEnd();
  console.log(line(rows[0]));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows.slice(1)) console.log(line(row));
  for (const test of tests) {
    for (const impl of impls) {
      const r = results.get(test.id)[impl];
      if (r.status === 'skip') console.log(`skipped ${test.id} (${IMPL_LABEL[impl]}): ${r.reason}`);
    }
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const tests = discoverTests(opts.filters, opts.timeoutMs);
  if (tests.length === 0) {
    console.log('no test matches');
    console.log('compat: 0 passed, 0 failed');
    process.exitCode = 1;
    return;
  }
  const commonPort = await pickCommonPort();
  console.log(`compat: ${tests.length} test(s) x ${opts.impls.map((i) => IMPL_LABEL[i]).join(', ')}; common.PORT=${commonPort}`);
  if (opts.impls.includes('iocp-net') && !fs.existsSync(distNet)) {
    console.log('note: dist/net.js is missing (run `npm run build`): every iocp-net run fails');
  }

  const comparing = opts.impls.length === IMPLS.length;
  const results = await runAll(tests, opts.impls, commonPort, (test, impl, result) => {
    process.stdout.write(`  ${result.status.padEnd(4)} ${IMPL_LABEL[impl].padEnd(8)} ${test.id} (${seconds(result)})\n`);
  });

  // Output of the failures worth reading.
  for (const test of tests) {
    const r = results.get(test.id);
    for (const impl of opts.impls) {
      if (r[impl].status !== 'fail' || !r[impl].output) continue;
      const regression = impl === 'iocp-net' && (!comparing || r.node.status === 'pass');
      if (!opts.verbose && !regression && impl !== 'node') continue;
      console.log(`\n--- ${test.id} on ${IMPL_LABEL[impl]}: ${r[impl].reason}`);
      console.log(tailOf(r[impl].output, OUTPUT_TAIL_LINES));
    }
  }
  console.log('');
  printTable(tests, opts.impls, results);
  console.log('');

  for (const impl of opts.impls) {
    const counts = { pass: 0, fail: 0, skip: 0 };
    for (const test of tests) counts[results.get(test.id)[impl].status]++;
    console.log(`${IMPL_LABEL[impl]}: ${counts.pass} passed, ${counts.fail} failed, ${counts.skip} skipped`);
  }

  // The headline count: the iocp-net column (or the only column run), over
  // the tests that node:net passes; a test node:net fails counts as failed,
  // one node:net skips for a stated precondition counts in neither.
  const judged = comparing ? 'iocp-net' : opts.impls[0];
  let passed = 0;
  let failed = 0;
  let regressions = 0;
  for (const test of tests) {
    const r = results.get(test.id);
    const reference = comparing ? r.node : r[judged];
    if (reference.status === 'skip') continue;
    if (reference.status === 'fail') { failed++; continue; }
    // Skipping where node:net ran is not a pass either.
    if (r[judged].status === 'pass') passed++;
    else { failed++; regressions++; }
  }
  if (comparing && regressions > 0) {
    console.log(`${regressions} test(s) pass on node:net but fail on iocp-net`);
  }
  process.exitCode = failed > 0 ? 1 : 0;
  console.log(`compat: ${passed} passed, ${failed} failed`);
}

main().catch((err) => {
  console.error(err);
  console.log('compat: 0 passed, 1 failed');
  process.exitCode = 1;
});
