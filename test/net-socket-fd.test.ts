// new Socket({ fd }) of descriptors that are not sockets: the error names the
// type libuv guesses (a character device such as /dev/null is a FILE).
// (Found by the fuzzer.)
import t from 'tap';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compare, errorShape } from './impl';

compare(t, 'new Socket({ fd }) of /dev/null and of a file', async (net) => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'iocp-net-fd-')), 'f');
  fs.writeFileSync(file, 'x');
  const fds: Record<string, number> = { '/dev/null': fs.openSync('/dev/null', 'r'), 'a file': fs.openSync(file, 'r') };
  const out: Record<string, unknown> = {};
  for (const [label, fd] of Object.entries(fds)) {
    try {
      new net.Socket({ fd });
      out[label] = 'no throw';
    } catch (err) {
      out[label] = (errorShape(err) as any).message;
    }
    fs.closeSync(fd);
  }
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  return out;
}, (t, r) => t.strictSame(r, { '/dev/null': 'Unsupported fd type: FILE', 'a file': 'Unsupported fd type: FILE' }));
