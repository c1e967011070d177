// Unix socket names longer than sun_path (108 bytes on Linux): libuv cuts
// them to 108 bytes, so node listens and connects on the shortened name, and
// reports the name it was given. On Windows a path is a named pipe: no
// sun_path, so no cut and no file; Windows refuses a pipe name over 256
// characters (ENAMETOOLONG), and libuv a name holding a NUL (EINVAL), so
// Linux's abstract names do not exist there.
import t from 'tap';
import { features } from '../lib/features';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compare, eachImpl, closeServer, once, pipePath, Net } from './impl';

const windows = process.platform === 'win32';

/** A path of exactly `bytes` bytes in a private temp dir; `tag` keeps shortened names apart. */
function pathOfLength(tag: string, bytes: number): string {
  const base = path.join(path.dirname(pipePath(tag)), `${tag}-`);
  return base + 'x'.repeat(bytes - Buffer.byteLength(base));
}

/** Listens on `name`, connects to it, returns what happened. */
async function roundTrip(net: Net, name: string): Promise<Record<string, unknown>> {
  const server = net.createServer((s) => s.end('hi'));
  const errors: string[] = [];
  server.on('error', (e: any) => errors.push(`server ${e.code}`));
  await new Promise<void>((resolve) => {
    server.listen(name, () => resolve());
    server.once('error', () => resolve());
  });
  const result: Record<string, unknown> = { listening: server.listening, address: server.address() === name };
  if (name[0] !== '\0') {
    // The file made is the name cut to 108 bytes.
    const file = Buffer.from(name).subarray(0, 108).toString();
    result.file = fs.existsSync(file) && fs.statSync(file).isSocket();
  }
  const client = net.connect(name);
  client.on('error', (e: any) => errors.push(`client ${e.code}`));
  let text = '';
  client.setEncoding('utf8');
  client.on('data', (d) => (text += d));
  await once(client, 'close');
  await closeServer(server);
  return { ...result, text, errors };
}

compare(t, 'listen and connect on unix socket paths of 107 to 300 bytes', async (net) => {
  const out: Record<string, unknown> = {};
  for (const bytes of [107, 108, 109, 150, 300]) out[bytes] = await roundTrip(net, pathOfLength(`len${bytes}`, bytes));
  return out;
}, (t, r) => {
  for (const bytes of ['107', '108', '109', '150', '300']) {
    // node 24 refuses a name longer than sun_path (EINVAL) instead of cutting it.
    const refused = features.pipeNameTooLongIsError && Number(bytes) > 108;
    const expected = windows
      ? (bytes !== '300' ? { listening: true, address: true, file: false, text: 'hi', errors: [] }
        : { listening: false, address: true, file: false, text: '', errors: ['server ENAMETOOLONG', 'client ENOENT'] })
      : refused ? { listening: false, address: true, file: false, text: '', errors: ['server EINVAL', 'client EINVAL'] }
      : { listening: true, address: true, file: true, text: 'hi', errors: [] };
    t.strictSame(r[bytes], expected, `${bytes} bytes`);
  }
});

compare(t, 'abstract unix socket names longer than 108 bytes', async (net) => {
  const out: Record<string, unknown> = {};
  const unique = `${process.pid}-${Date.now()}-${net === require('node:net') ? 'node' : 'iocp'}`;
  for (const bytes of [108, 109, 200]) {
    const name = `\0iocp-net-test-${unique}-`.padEnd(bytes, 'y');
    out[bytes] = await roundTrip(net, name);
  }
  return out;
}, (t, r) => {
  for (const bytes of ['108', '109', '200']) {
    const refused = windows || (features.pipeNameTooLongIsError && Number(bytes) > 108);
    t.strictSame(r[bytes], refused ? { listening: false, address: true, text: '', errors: ['server EINVAL', 'client EINVAL'] }
      : { listening: true, address: true, text: 'hi', errors: [] }, `${bytes} bytes`);
  }
});

// libuv 1.46 (node 20) pads abstract names with NULs to sun_path's size, and
// the kernel tells a padded name from an unpadded one: our sockets must name
// them the way the running node does to reach node's sockets.
eachImpl(t, 'an abstract name reaches the other implementation', async (t, net, impl) => {
  const nodeNet = require('node:net') as Net;
  const exchange = async (serverNet: Net, clientNet: Net, name: string) => {
    const server = serverNet.createServer((s) => { s.on('error', () => {}); s.write('hi'); });
    await new Promise<void>((resolve) => server.listen(name, resolve));
    const client = clientNet.connect(name);
    const text = await new Promise<string>((resolve) => {
      client.on('error', (e: any) => resolve(e.code));
      client.once('data', (d) => resolve(String(d)));
    });
    client.destroy();
    await closeServer(server);
    return text;
  };
  // (Windows has no abstract names: a long pipe name, which neither cuts.)
  const name = windows ? `${pipePath('long')}-`.padEnd(200, 'z') : `\0iocp-net-test-${process.pid}-${impl.name}`;
  t.equal(await exchange(nodeNet, net, `${name}-a`), 'hi', `node:net server, ${impl.name} client`);
  t.equal(await exchange(net, nodeNet, `${name}-b`), 'hi', `${impl.name} server, node:net client`);
});

compare(t, 'readableAll and writableAll on a long path change the cut name\'s mode', async (net) => {
  const name = pathOfLength('chmod', 150);
  const server = net.createServer();
  let thrown: string | undefined;
  server.on('error', () => {}); // node 24: EINVAL (the name is not cut)
  try {
    server.listen({ path: name, readableAll: true, writableAll: true });
  } catch (err: any) {
    thrown = `${err.code} ${err.syscall}`;
  }
  const file = Buffer.from(name).subarray(0, 108).toString();
  const mode = fs.existsSync(file) ? (fs.statSync(file).mode & 0o666).toString(8) : 'no file';
  const listening = server.listening;
  await closeServer(server);
  return { thrown, listening, mode };
  // (Windows: node widens the pipe's DACL, which iocp-net does not yet do,
  // README "Windows"; no file either way.)
}, (t, r) => t.strictSame(r, windows ? { thrown: undefined, listening: true, mode: 'no file' }
  : features.pipeNameTooLongIsError ? { thrown: undefined, listening: false, mode: 'no file' }
  : { thrown: undefined, listening: true, mode: '666' }));
