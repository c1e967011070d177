#!/usr/bin/env node
// `npm test`: runs every suite of the project in turn and ends with one line
// `N passed, N failed` (what CI reads). Each suite prints its own summary line
// `<suite>: N passed, N failed`, which is summed here.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const suites = [
  { name: 'native', cmd: 'make', args: ['-s', '-C', 'native', 'test'] },
  { name: 'tap', cmd: process.execPath, args: [path.join(__dirname, 'tap-count.js')] },
  { name: 'compat', cmd: process.execPath, args: [path.join(root, 'compat', 'run.js')] },
];
const only = process.argv.slice(2);

let passed = 0;
let failed = 0;
for (const suite of suites) {
  if (only.length && !only.includes(suite.name)) continue;
  console.log(`\n=== ${suite.name} ===`);
  const r = spawnSync(suite.cmd, suite.args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 256 << 20 });
  process.stdout.write(r.stdout || '');
  const lines = (r.stdout || '').trim().split('\n');
  const m = /(\d+) passed, (\d+) failed/.exec(lines[lines.length - 1] || '');
  if (!m) {
    console.log(`${suite.name}: no summary line (exit ${r.status}, signal ${r.signal}): counted as 1 failure`);
    failed += 1;
    continue;
  }
  passed += Number(m[1]);
  failed += Number(m[2]);
  if (r.status !== 0 && Number(m[2]) === 0) {
    console.log(`${suite.name}: exited ${r.status} with no failure counted: counted as 1 failure`);
    failed += 1;
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
