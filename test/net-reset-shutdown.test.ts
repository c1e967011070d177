// resetAndDestroy() while a shutdown is pending (end() just called): libuv
// refuses the reset (EINVAL); node emits 'error' and never 'close'. After the
// shutdown finished, the reset goes through. (Found by the fuzzer.)
//
// In a child process: node never closes the handle it failed to reset, and
// its loop spins on it once the peer is gone.
import t from 'tap';
import { compare, runChild } from './impl';

const scenario = `
  const once = (e, name) => new Promise((resolve) => e.once(name, resolve));
  const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  (async () => {
    const server = net.createServer((s) => { s.on('error', () => {}); s.resume(); });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const resetAfter = async (before) => {
      const socket = net.connect(server.address().port, '127.0.0.1');
      await once(socket, 'connect');
      const log = [];
      for (const e of ['error', 'finish', 'close']) socket.on(e, (x) => log.push(x instanceof Error ? e + '(' + x.message + ')' : e));
      await before(socket);
      socket.resetAndDestroy();
      await delay(150);
      log.push('destroyed=' + socket.destroyed);
      return log;
    };
    const out = {
      'end() then reset': await resetAfter((s) => { s.end(); }),
      "end('x') then reset": await resetAfter((s) => { s.end('x'); }),
      'reset after finish': await resetAfter(async (s) => { s.end(); await once(s, 'finish'); }),
    };
    console.log(JSON.stringify(out));
    process.exit(0);
  })();`;

compare(t, 'resetAndDestroy() with a shutdown pending or done', async (_net, impl) => {
  const { stdout, timedOut } = await runChild(impl, scenario);
  return { timedOut, ...JSON.parse(stdout) };
}, (t, r) => t.strictSame(r, {
  timedOut: false,
  'end() then reset': ['error(reset EINVAL)', 'destroyed=true'],
  "end('x') then reset": ['error(reset EINVAL)', 'destroyed=true'],
  'reset after finish': ['finish', 'close', 'destroyed=true'],
}));
