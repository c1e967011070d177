// A socket whose autoSelectFamily attempt is in flight has node's handle:
// destroy() cancels that attempt's connect, whose callback still reports it
// ('connectionAttemptFailed' with ECANCELED, after 'error', before 'close'),
// and a connect() meanwhile fails with EALREADY on it.
import t from 'tap';
import { compare, listen, closeServer, once, delay, mask, Net, Socket } from './impl';

const events = ['connect', 'error', 'close', 'connectionAttempt', 'connectionAttemptFailed', 'connectionAttemptTimeout'];

/** Connects through two addresses (the first one's attempt is in flight at once); returns the socket and its log. */
function twoAddresses(net: Net, port: number): { socket: Socket; log: string[] } {
  const socket = net.connect({
    host: 'example.invalid', port, autoSelectFamily: true, autoSelectFamilyAttemptTimeout: 500,
    lookup: (_h: string, _o: unknown, cb: (...args: any[]) => void) =>
      cb(null, [{ address: '127.0.0.1', family: 4 }, { address: '127.0.0.2', family: 4 }]),
  } as any);
  const log: string[] = [];
  for (const e of events) {
    socket.on(e, (...args: any[]) => log.push(`${e}(${args.map((a) => (a instanceof Error ? (a as any).code : a)).join(',')})`));
  }
  return { socket, log };
}

compare(t, 'destroy() with an autoSelectFamily attempt in flight', async (net) => {
  const server = net.createServer((s) => s.on('error', () => {}));
  const port = await listen(server);
  const out: Record<string, string[]> = {};
  for (const [label, destroy] of [['destroy()', (s: Socket) => s.destroy()], ['destroy(err)', (s: Socket) => s.destroy(new Error('x'))]] as const) {
    const { socket, log } = twoAddresses(net, port);
    destroy(socket);
    await delay(100);
    out[label] = mask(log, { PORT: port });
  }
  await closeServer(server);
  return out;
}, (t, r) => t.strictSame(r, {
  'destroy()': ['connectionAttemptFailed(127.0.0.1,PORT,4,ECANCELED)', 'close(false)'],
  'destroy(err)': ['error()', 'connectionAttemptFailed(127.0.0.1,PORT,4,ECANCELED)', 'close(true)'],
}));

compare(t, 'connect() with an autoSelectFamily attempt in flight: EALREADY', async (net) => {
  const server = net.createServer((s) => s.on('error', () => {}));
  const port = await listen(server);
  const { socket, log } = twoAddresses(net, port);
  socket.connect(port, '127.0.0.1');
  await once(socket, 'close');
  await closeServer(server);
  return mask(log, { PORT: port });
  // Windows: libuv's ConnectEx answers from the socket's state, and the
  // attempt's loopback connect has completed by then: EISCONN.
}, (t, r) => t.strictSame(r, [
  'connectionAttempt(127.0.0.1,PORT,4)', process.platform === 'win32' ? 'error(EISCONN)' : 'error(EALREADY)',
  'connectionAttemptFailed(127.0.0.1,PORT,4,ECANCELED)', 'close(true)',
]));
