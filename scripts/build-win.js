#!/usr/bin/env node
// Builds the addon for win32-x64 on Linux with mingw-w64 (Debian's
// g++-mingw-w64-x86-64): the sources binding.gyp compiles on Windows (the
// bridge, the engine core and the IOCP backend), import libraries for
// node.exe's N-API and libuv exports, C++ runtime linked statically. The
// result loads in Windows node.exe (and under Wine: .ci/lanes/75-wine-node.sh).
//
//   node scripts/build-win.js [out]      default out: build-win/iocp_net.node
//
// Node's headers (node_api.h and uv.h with uv/win.h) are this Node's own, as
// node-gyp finds them: one set of headers serves every platform.
'use strict';
const path = require('node:path');
const { targets, build } = require('./prebuild');

const root = path.join(__dirname, '..');
const out = path.resolve(process.argv[2] || path.join(root, 'build-win', 'iocp_net.node'));
const started = Date.now();
build('win32-x64', targets['win32-x64'], out).then(
  () => console.log(`win32-x64: ${path.relative(root, out)} (${((Date.now() - started) / 1000).toFixed(1)} s)`),
  (err) => {
    console.error(err.message);
    process.exitCode = 1;
  },
);
