// A string written with the 'buffer' encoding (Writable lets it through
// since sockets do not decode strings): node's handle throws "Second argument
// must be a buffer" from a single write, which then never completes, and
// writes it as UTF-8 in a batch. (Found by the fuzzer.) Node 22's Writable
// refuses the 'buffer' encoding for strings itself (ERR_UNKNOWN_ENCODING,
// thrown by write() before the socket sees it): the expectations follow the
// running node's stream module.
import t from 'tap';
import { Writable } from 'node:stream';
import { compare, listen, closeServer, once, errorShape, delay, runChild, Net } from './impl';

/** Whether this node's Writable throws for write(string, 'buffer') (node 22 and later). */
const writableRefusesBuffer = (() => {
  try {
    new Writable({ decodeStrings: false, write(_c, _e, cb) { cb(); } }).write('x', 'buffer' as BufferEncoding);
    return false;
  } catch {
    return true;
  }
})();
const unknownEncoding = {
  ctor: 'TypeError', name: 'TypeError', code: 'ERR_UNKNOWN_ENCODING', message: 'Unknown encoding: buffer',
  keys: ['code'], stackHeader: 'TypeError [ERR_UNKNOWN_ENCODING]: Unknown encoding: buffer',
};

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
}, (t, r) => t.strictSame(r, writableRefusesBuffer ? {
  thrown: unknownEncoding,
  callback: 'not called',
  state: { writableLength: 0, bytesWritten: 0, destroyed: false },
} : {
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
  let thrown: unknown;
  try {
    socket.write('é\u0100', 'buffer' as BufferEncoding);
  } catch (err) {
    thrown = errorShape(err);
  }
  socket.write('y');
  socket.uncork();
  await new Promise<void>((resolve) => socket.end(resolve));
  await delay(50);
  const out = { thrown, received: peer.received().toString('hex'), bytesWritten: socket.bytesWritten };
  socket.destroy();
  await peer.close();
  return out;
}, (t, r) => t.strictSame(r, writableRefusesBuffer ? { thrown: unknownEncoding, received: '79', bytesWritten: 1 }
  : { thrown: undefined, received: 'c3a9c48079', bytesWritten: 5 }));

// In a child: the error is thrown from the 'connect' emit, out of the loop.
compare(t, "write(string, 'buffer') made while connecting throws when it reaches the handle", async (_net, impl) => {
  const { stdout } = await runChild(impl, `
    const server = net.createServer((s) => s.on('error', () => {}));
    server.listen(0, '127.0.0.1', () => {
      const socket = net.connect(server.address().port, '127.0.0.1');
      let thrown;
      try {
        socket.write('abc', 'buffer');
      } catch (err) {
        thrown = err.code;
      }
      const pending = socket.bytesWritten;
      if (thrown) {
        console.log(JSON.stringify({ thrown, pending }));
        process.exit(0);
      }
      process.on('uncaughtException', (err) => {
        console.log(JSON.stringify({ pending, after: socket.bytesWritten, uncaught: err.message, code: err.code }));
        process.exit(0);
      });
    });`);
  return JSON.parse(stdout);
}, (t, r) => t.strictSame(r, writableRefusesBuffer ? { thrown: 'ERR_UNKNOWN_ENCODING', pending: 0 }
  : { pending: 3, after: 0, uncaught: 'Second argument must be a buffer', code: 'ERR_INVALID_ARG_TYPE' }));
