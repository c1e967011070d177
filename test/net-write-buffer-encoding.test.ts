// A string written with the 'buffer' encoding (Writable lets it through
// since sockets do not decode strings): node's handle throws "Second argument
// must be a buffer" from a single write, which then never completes, and
// writes it as UTF-8 in a batch. (Found by the fuzzer.)
import t from 'tap';
import { compare, listen, closeServer, once, errorShape, delay, runChild, Net } from './impl';

/** A server collecting what each connection sends. */
async function collector(net: Net): Promise<{ port: number; received: () => Buffer; close: () => Promise<void> }> {
  const chunks: Buffer[] = [];
  const server = net.createServer((s) => { s.on('error', () => {}); s.on('data', (d) => chunks.push(d)); });
  const port = await listen(server);
  return { port, received: () => Buffer.concat(chunks), close: () => closeServer(server) };
}

compare(t, "write(string, 'buffer') on a connected socket throws and never completes", async (net) => {
  const peer = await collector(net);
  const socket = net.connect(peer.port, '127.0.0.1');
  await once(socket, 'connect');
  let callback = 'not called';
  let thrown: unknown;
  try {
    socket.write('é', 'buffer' as BufferEncoding, (err) => (callback = `called(${(err as any)?.code})`));
  } catch (err) {
    thrown = errorShape(err);
  }
  await delay(50);
  const state = { writableLength: socket.writableLength, bytesWritten: socket.bytesWritten, destroyed: socket.destroyed };
  socket.destroy();
  await peer.close();
  return { thrown, callback, state };
}, (t, r) => t.strictSame(r, {
  thrown: {
    ctor: 'TypeError', name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: 'Second argument must be a buffer',
    keys: ['code'], stackHeader: 'TypeError: Second argument must be a buffer',
  },
  callback: 'not called',
  state: { writableLength: 1, bytesWritten: 0, destroyed: false },
}));

compare(t, "'buffer'-encoded strings in a batch are written as UTF-8", async (net) => {
  const peer = await collector(net);
  const socket = net.connect(peer.port, '127.0.0.1');
  await once(socket, 'connect');
  socket.cork();
  socket.write('é\u0100', 'buffer' as BufferEncoding);
  socket.write('y');
  socket.uncork();
  await new Promise<void>((resolve) => socket.end(resolve));
  await delay(50);
  const out = { received: peer.received().toString('hex'), bytesWritten: socket.bytesWritten };
  socket.destroy();
  await peer.close();
  return out;
}, (t, r) => t.strictSame(r, { received: 'c3a9c48079', bytesWritten: 5 }));

// In a child: the error is thrown from the 'connect' emit, out of the loop.
compare(t, "write(string, 'buffer') made while connecting throws when it reaches the handle", async (_net, impl) => {
  const { stdout } = await runChild(impl, `
    const server = net.createServer((s) => s.on('error', () => {}));
    server.listen(0, '127.0.0.1', () => {
      const socket = net.connect(server.address().port, '127.0.0.1');
      socket.write('abc', 'buffer');
      const pending = socket.bytesWritten;
      process.on('uncaughtException', (err) => {
        console.log(JSON.stringify({ pending, after: socket.bytesWritten, uncaught: err.message, code: err.code }));
        process.exit(0);
      });
    });`);
  return JSON.parse(stdout);
}, (t, r) => t.strictSame(r, { pending: 3, after: 0, uncaught: 'Second argument must be a buffer', code: 'ERR_INVALID_ARG_TYPE' }));
