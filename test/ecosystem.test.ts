// The package as users load it: the register hook (CommonJS and ESM), the ESM
// entry, and an application using express, undici and ws over `require('net')`,
// run once on node:net and once with iocp-net/register; the results must match.
import t from 'tap';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';  // --import takes a URL (a Windows path is not one)
import { isWine } from './impl';

const root = path.join(__dirname, '..');
const entry = path.join(root, 'dist', 'net.js');
const register = path.join(root, 'dist', 'register.js');

function run(args: string[], cwd = root): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd, timeout: 60_000, env: { ...process.env, IOCP_NET_ENTRY: entry } },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout.trim())));
  });
}

t.test('register (CommonJS): net and node:net are iocp-net for userland, node:http keeps node:net', async (t) => {
  const out = await run(['-r', register, '-e', `
    const ours = require(${JSON.stringify(entry)});
    console.log(JSON.stringify([require('net') === ours, require('node:net') === ours,
      require('net').Socket === ours.Socket, typeof require('http').createServer]));`]);
  t.same(JSON.parse(out), [true, true, true, 'function']);
});

t.test('register (ESM, --import): import of net and node:net give iocp-net', async (t) => {
  const out = await run(['--import', pathToFileURL(register).href, '--input-type=module', '-e', `
    import net from 'node:net';
    import { Socket, createServer } from 'net';
    import { createRequire } from 'node:module';
    const ours = createRequire(import.meta.url)(${JSON.stringify(entry)});
    console.log(JSON.stringify([net === ours, Socket === ours.Socket, createServer === ours.createServer]));`]);
  t.same(JSON.parse(out), [true, true, true]);
});

t.test('ESM entry: named and default exports are the CommonJS classes', async (t) => {
  const out = await run(['--input-type=module', '-e', `
    import net, { Socket, Server, Stream, createServer, connect, isIP } from 'iocp-net';
    import { createRequire } from 'node:module';
    const cjs = createRequire(import.meta.url)('iocp-net');
    console.log(JSON.stringify([net === cjs, Socket === cjs.Socket, Server === cjs.Server, Stream === Socket,
      createServer === cjs.createServer, connect === cjs.connect, isIP('::1'), Socket === (await import('node:net')).Socket]));`]);
  t.same(JSON.parse(out), [true, true, true, true, true, true, 6, false]);
});

t.test('express + undici + ws over require("net"): same results on node:net and iocp-net', async (t) => {
  const app = path.join(__dirname, 'fixtures', 'ecosystem-app.js');
  const [plain, registered] = await Promise.all([run([app]).catch((e) => e as Error), run(['-r', register, app])]);
  const expected = { names: ['a', 'b', 'c', 'd'], uploadOk: true, wsEchoOk: true, serverConnections: 3, clientConnects: 3 };
  if (isWine) {
    // Wine difference 5: Wine refuses TCP_KEEPALIVE. undici asks for
    // keep-alive before the connect, and node.exe's libuv applies it inside
    // the connect, which then fails ('connect UNKNOWN'). iocp-net sets it
    // once connected and ignores the refusal, as node does then.
    t.match(String(plain), /connect UNKNOWN/, 'node:net under Wine');
  } else {
    t.same(JSON.parse(plain as string), { ...expected, netIsIocpNet: false }, 'node:net');
  }
  t.same(JSON.parse(registered), { ...expected, netIsIocpNet: true }, 'iocp-net via register');
});
