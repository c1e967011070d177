// How users' compilers and loaders reach the package: `import net from
// 'iocp-net'` compiled to CommonJS by TypeScript, a library compiled that way
// under the register hook, process.getBuiltinModule('net') under the hook, and
// code written against node:net's types compiled against ours.
import t from 'tap';
import type { Test } from 'tap';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';  // --import takes a URL (a Windows path is not one)
import * as ts from 'typescript';

const root = path.join(__dirname, '..');
const entry = path.join(root, 'dist', 'net.js');
const register = path.join(root, 'dist', 'register.js');

function run(args: string[], cwd = root): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd, timeout: 60_000 },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout.trim())));
  });
}

/** Compiles TypeScript source to CommonJS as `tsc` would with these options. */
function toCommonJS(source: string, options: ts.CompilerOptions): string {
  return ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, ...options },
  }).outputText;
}

/** Writes `code` to a .js file in the package folder (so 'iocp-net' resolves to this package) and runs it. */
async function runCompiled(t: Test, code: string, nodeArgs: string[] = []): Promise<string> {
  const dir = fs.mkdtempSync(path.join(root, '.interop-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'compiled.js');
  fs.writeFileSync(file, code);
  return run([...nodeArgs, file]);
}

// A round trip through the default import: an echo server and a client.
const echoOverDefaultImport = `
import net from 'iocp-net';
const server = net.createServer((s) => s.pipe(s));
server.listen(0, '127.0.0.1', () => {
  const client = net.connect((server.address() as any).port, '127.0.0.1', () => client.end('ping'));
  client.setEncoding('utf8');
  let echoed = '';
  client.on('data', (d) => (echoed += d));
  client.on('close', () => {
    server.close();
    console.log(JSON.stringify({ echoed, ours: client instanceof require(${JSON.stringify(entry)}).Socket }));
  });
});
`;

for (const esModuleInterop of [true, false]) {
  t.test(`import net from 'iocp-net' compiled to CommonJS (esModuleInterop: ${esModuleInterop})`, async (t) => {
    const out = await runCompiled(t, toCommonJS(echoOverDefaultImport, { esModuleInterop }));
    t.same(JSON.parse(out), { echoed: 'ping', ours: true });
  });
}

t.test('default export: the module itself, not listed by Object.keys (as node:net lists none)', async (t) => {
  const net = require(entry);
  t.equal(net.default, net);
  t.notOk(Object.keys(net).includes('default'));
  t.same(Object.keys(net).sort(), Object.keys(require('node:net')).sort());
});

// What node-redis and other libraries compiled by TypeScript or Babel do with
// `import net from 'net'`: under the register hook that must be iocp-net.
t.test('a library compiled to CommonJS with `import net from "net"`, under the register hook', async (t) => {
  const library = toCommonJS(`
import net from 'net';
import * as netNamespace from 'node:net';
const socket = net.createConnection({ port: 1, host: '127.0.0.1' });
socket.on('error', () => {});
console.log(JSON.stringify({
  defaultIsOurs: socket instanceof require(${JSON.stringify(entry)}).Socket,
  namespaceIsOurs: netNamespace.Socket === require(${JSON.stringify(entry)}).Socket,
}));
socket.destroy();
`, { esModuleInterop: true });
  const out = await runCompiled(t, library, ['-r', register]);
  t.same(JSON.parse(out), { defaultIsOurs: true, namespaceIsOurs: true });
});

t.test('process.getBuiltinModule("net") under the register hook (CommonJS and ESM)', async (t) => {
  const cjs = await run(['-r', register, '-e', `
    const ours = require(${JSON.stringify(entry)});
    console.log(JSON.stringify([process.getBuiltinModule('net') === ours, process.getBuiltinModule('node:net') === ours,
      process.getBuiltinModule('http') === require('node:http'), process.getBuiltinModule.name]));`]);
  t.same(JSON.parse(cjs), [true, true, true, 'getBuiltinModule']);
  const esm = await run(['--import', pathToFileURL(register).href, '--input-type=module', '-e', `
    import { getBuiltinModule } from 'node:process';
    import net from 'node:net';
    console.log(JSON.stringify([getBuiltinModule('net') === net, process.getBuiltinModule('node:net') === net]));`]);
  t.same(JSON.parse(esm), [true, true]);
  const plain = await run(['-e', `console.log(process.getBuiltinModule('net') === require('node:net'))`]);
  t.equal(plain, 'true', 'without the hook, node:net as usual');
});

t.test('code written against node:net types compiles against iocp-net (tsc --noEmit --strict)', async (t) => {
  const project = path.join(__dirname, 'fixtures', 'types', 'tsconfig.json');
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const out = await run([tsc, '-p', project]).catch((err: Error) => err.message);
  t.equal(out, '', 'no type errors');
});

t.test('ESM: default import and named imports from the package name', async (t) => {
  const out = await run(['--input-type=module', '-e', `
    import net, { createServer } from 'iocp-net';
    import { createRequire } from 'node:module';
    const cjs = createRequire(import.meta.url)('iocp-net');
    const server = net.createServer((s) => s.pipe(s));
    server.listen(0, '127.0.0.1', () => {
      const client = net.connect(server.address().port, '127.0.0.1', () => client.end('ping'));
      let echoed = '';
      client.on('data', (d) => (echoed += d));
      client.on('close', () => {
        server.close();
        console.log(JSON.stringify({ echoed, same: net === cjs && createServer === cjs.createServer, ours: client instanceof cjs.Socket }));
      });
    });`]);
  t.same(JSON.parse(out), { echoed: 'ping', same: true, ours: true });
});
