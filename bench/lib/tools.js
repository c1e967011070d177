'use strict';
// Optional system tools (wrk, strace): found on PATH, or installed with apt-get
// when the run is root, apt-get exists and installing is allowed.
const { spawnSync } = require('node:child_process');

function onPath(cmd, versionArg) {
  return spawnSync(cmd, [versionArg], { stdio: 'ignore' }).error === undefined;
}

// Returns true when `cmd` is available (possibly after installing `pkg`).
function ensureTool(cmd, pkg, { versionArg = '--version', install = true } = {}) {
  if (onPath(cmd, versionArg)) return true;
  const root = process.getuid && process.getuid() === 0;
  if (!install || !root || spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status !== 0) return false;
  process.stderr.write(`bench: ${cmd} not found, installing ${pkg} with apt-get (--no-install to skip)...\n`);
  const r = spawnSync('apt-get', ['install', '-y', '-q', pkg], {
    stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: 180000,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.status !== 0) process.stderr.write(`bench: apt-get install ${pkg} failed: ${(r.stderr || String(r.error)).trim().slice(-300)}\n`);
  return onPath(cmd, versionArg);
}

module.exports = { ensureTool };
