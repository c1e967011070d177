// bytesWritten counts the bytes each write put on the wire, in every
// encoding: hex and base64 text that does not decode fully counts what it
// decodes to ('zz' as hex is 0 bytes), not Buffer.byteLength's estimate.
import t from 'tap';
import { compare, listen, closeServer, once, Socket } from './impl';

// [text, encoding] pairs, with node's byte counts checked below.
const writes: Array<[string, string]> = [
  ['zz', 'hex'], ['abc', 'hex'], ['abcd', 'hex'], ['a', 'hex'], ['0g12', 'hex'], ['aa', 'HEX'],
  ['=', 'base64'], ['YQ', 'base64'], ['YQ=', 'base64'], ['Y', 'base64'], ['a b c d', 'base64'],
  ['YQ==YQ==', 'base64'], ['YWJj', 'BASE64'], ['_-_-', 'base64url'], ['Y-', 'Base64Url'],
  ['é', 'latin1'], ['é', 'Latin1'], ['é', 'ascii'], ['ab', 'binary'], ['é', 'utf8'], ['\ud800', 'utf8'],
  ['é', 'ucs2'], ['\ud800x', 'utf16le'], ['é', 'UTF-16LE'], ['', 'utf8'], ['', 'hex'],
];

/** Resolves with how much bytesWritten grew for a write of `text` in `encoding`. */
async function counted(socket: Socket, text: string, encoding: string): Promise<number> {
  const before = socket.bytesWritten;
  await new Promise<void>((resolve, reject) => {
    socket.write(text, encoding as BufferEncoding, (err) => (err ? reject(err) : resolve()));
  });
  return socket.bytesWritten - before;
}

compare(t, 'bytesWritten after write(text, encoding)', async (net) => {
  const server = net.createServer((s) => { s.on('error', () => {}); s.resume(); });
  const port = await listen(server);
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const out: Record<string, number> = {};
  for (const [text, encoding] of writes) out[`${JSON.stringify(text)} ${encoding}`] = await counted(socket, text, encoding);

  // Several chunks at once (_writev), and a base64 chunk queued while connecting.
  const before = socket.bytesWritten;
  socket.cork();
  socket.write('zz', 'hex');
  socket.write('a b c d', 'base64');
  socket.write(Buffer.from('xy'));
  process.nextTick(() => socket.uncork());
  await new Promise<void>((resolve) => socket.write('', () => resolve()));
  out.writev = socket.bytesWritten - before;
  socket.destroy();

  const late = net.connect(port, '127.0.0.1');
  late.write('a b c d', 'base64');
  await once(late, 'connect');
  await new Promise<void>((resolve) => late.write('', () => resolve()));
  out['written while connecting'] = late.bytesWritten;
  late.destroy();
  await closeServer(server);
  return out;
}, (t, r) => t.strictSame(r, {
  '"zz" hex': 0, '"abc" hex': 1, '"abcd" hex': 2, '"a" hex': 0, '"0g12" hex': 0, '"aa" HEX': 1,
  '"=" base64': 0, '"YQ" base64': 1, '"YQ=" base64': 1, '"Y" base64': 0, '"a b c d" base64': 3,
  '"YQ==YQ==" base64': 1, '"YWJj" BASE64': 3, '"_-_-" base64url': 3, '"Y-" Base64Url': 1,
  '"é" latin1': 1, '"é" Latin1': 1, '"é" ascii': 1, '"ab" binary': 2, '"é" utf8': 2, '"\\ud800" utf8': 3,
  '"é" ucs2': 2, '"\\ud800x" utf16le': 4, '"é" UTF-16LE': 2, '"" utf8': 0, '"" hex': 0,
  writev: 5, 'written while connecting': 3,
}));
