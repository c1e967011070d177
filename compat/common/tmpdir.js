'use strict';
// A per-process scratch directory for tests (unix socket paths, files).
// Each test process gets its own directory so parallel tests never collide;
// refresh() empties it and arranges removal when the process exits.
const fs = require('node:fs');
const path = require('node:path');

const compatRoot = path.resolve(__dirname, '..');
const tmpPath = path.join(compatRoot, `.tmp.${process.env.COMPAT_TMP_ID || process.pid}`);

function removeTree() {
  fs.rmSync(tmpPath, { recursive: true, force: true, maxRetries: 3 });
}

let cleanupRegistered = false;
function refresh() {
  removeTree();
  fs.mkdirSync(tmpPath, { recursive: true });
  if (!cleanupRegistered) {
    cleanupRegistered = true;
    process.on('exit', () => {
      // Leave the directory first: some platforms refuse to remove the cwd.
      try { process.chdir(compatRoot); } catch { /* already elsewhere */ }
      removeTree();
    });
  }
}

function resolve(...parts) {
  return path.resolve(tmpPath, ...parts);
}

module.exports = { path: tmpPath, refresh, resolve };
