#!/usr/bin/env node
// Runs tap with the raw TAP reporter, echoes it, and counts the subtests of
// every test file (indent level one), ending with `tap: N passed, N failed`.
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');

const tapBin = path.join(__dirname, '..', 'node_modules', 'tap', 'dist', 'esm', 'run.mjs');
// Left out on Windows, because their subject is Linux: which Linux backend
// starts (io_uring, epoll, a seccomp filter built with cc), the database
// tests, which start Debian's PostgreSQL and Redis servers, and the
// descriptor limit (a server child under bash's `ulimit -n`; Windows has no
// per-process socket limit, and the engine's DescriptorReserve holds nothing
// there).
const linuxOnly = process.platform === 'win32'
  ? ['test/backend-selection.test.ts', 'test/databases.test.ts', 'test/net-emfile.test.ts'] : [];
const child = spawn(process.execPath, [tapBin, '-R', 'tap', ...linuxOnly.map((f) => `--exclude=${f}`), ...process.argv.slice(2)], {
  cwd: path.join(__dirname, '..'),
  stdio: ['ignore', 'pipe', 'inherit'],
});
let passed = 0;
let failed = 0;
let topFailed = 0;
let pending = '';
function count(line) {
  let m = /^ {4}(not )?ok \d+/.exec(line);
  if (m) { if (m[1]) failed++; else passed++; return; }
  m = /^(not )?ok \d+/.exec(line);
  if (m && m[1]) topFailed++;  // a file that failed outside any subtest (crash, timeout)
}
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  pending += chunk;
  const lines = pending.split('\n');
  pending = lines.pop();
  lines.forEach(count);
});
child.on('close', (code) => {
  if (pending) count(pending);
  if (failed === 0 && (topFailed > 0 || code !== 0)) failed = Math.max(topFailed, 1);
  console.log(`tap: ${passed} passed, ${failed} failed`);
  process.exitCode = code === 0 ? 0 : 1;
});
