#!/usr/bin/env node
// Builds the addon with AddressSanitizer + UBSan into build/asan/iocp_net.node
// (the sources, defines and include dirs of binding.gyp; node's headers from
// npm's nodedir or node-gyp's cache). Load it with IOCP_NET_ADDON and run node
// with the sanitizer runtimes preloaded: see .ci/lanes/20-addon-asan.sh.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.join(__dirname, '..');
const gyp = (file) => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8').replace(/^\s*#.*$/gm, ''));
const target = gyp('binding.gyp').targets[0];
const engineSources = execFileSync('python3', [path.join(root, 'native', 'sources.py'), 'linux', '--prefix', 'native/'], { encoding: 'utf8' })
  .trim().split('\n');
const sources = [...target.sources, ...engineSources];

function nodeHeaders() {
  const candidates = [];
  try {
    candidates.push(path.join(execFileSync('npm', ['config', 'get', 'nodedir'], { encoding: 'utf8' }).trim(), 'include', 'node'));
  } catch {}
  candidates.push(path.join(path.dirname(process.execPath), '..', 'include', 'node'));
  const cache = path.join(require('node:os').homedir(), '.cache', 'node-gyp', process.versions.node, 'include', 'node');
  candidates.push(cache);
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, 'node_api.h')) && fs.existsSync(path.join(dir, 'uv.h')));
  if (!found) throw new Error(`node's headers (node_api.h, uv.h) not found in ${candidates.join(', ')}`);
  return found;
}

const out = path.join(root, 'build', 'asan', 'iocp_net.node');
fs.mkdirSync(path.dirname(out), { recursive: true });
const args = [
  '-std=c++17', '-O1', '-g', '-fPIC', '-shared', '-Wall', '-Wextra',
  '-fsanitize=address,undefined', '-fno-omit-frame-pointer', '-fno-sanitize-recover=undefined',
  ...target.defines.map((d) => `-D${d}`),
  `-I${require('node-addon-api').include_dir}`, `-I${nodeHeaders()}`, `-I${path.join(root, 'native')}`,
  ...sources.map((s) => path.join(root, s)),
  '-o', out,
];
execFileSync(process.env.CXX || 'g++', args, { stdio: 'inherit', cwd: root });
console.log(`built ${path.relative(root, out)}`);
