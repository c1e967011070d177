// Errors connect(2) returns at once (ENETUNREACH for a broadcast or
// multicast address, a bind of the wrong family) as opposed to the ones
// that come when the handshake fails (ECONNREFUSED): node builds them in
// internalConnect with the handle's local address in the message
// (" - Local (address:port)"), emits no 'connectionAttemptFailed' for a
// single attempt, and sets no localAddress/localPort properties.
import t from 'tap';
import { compare, errorShape, once, uvErrno, Net, Socket } from './impl';

// Windows: libuv binds a client to the wildcard address, port 0, before
// ConnectEx, so the message names the port that bind got (LOCALPORT).
const unboundLocal = process.platform === 'win32' ? '0.0.0.0:LOCALPORT' : '0.0.0.0:0';

const hideLocalPort = (text: string) => text.replace(/( - Local \(.*:)([1-9]\d*)\)/, '$1LOCALPORT)');

const events = ['connectionAttempt', 'connectionAttemptFailed', 'connect', 'error', 'close'];

/** Event log and the error of one connect; an ephemeral local port shows as LOCALPORT. */
async function failedConnect(net: Net, options: object): Promise<{ log: string[]; error: unknown }> {
  const socket: Socket = net.connect(options as any);
  const log: string[] = [];
  let error: any;
  for (const event of events) {
    socket.on(event, (...args: any[]) => {
      log.push(`${event}(${args.map((a) => (a instanceof Error ? (a as any).code : JSON.stringify(a))).join(',')})`);
      if (event === 'error') error = errorShape(args[0]);
    });
  }
  await once(socket, 'close');
  error.message = hideLocalPort(error.message);
  error.stackHeader = hideLocalPort(error.stackHeader);
  return { log, error };
}

compare(t, 'ENETUNREACH from connect(2): local address in the message', async (net) => ({
  broadcast: await failedConnect(net, { host: '255.255.255.255', port: 80 }),
  multicast: await failedConnect(net, { host: '224.0.0.1', port: 80 }),
  bound: await failedConnect(net, { host: '255.255.255.255', port: 80, localAddress: '127.0.0.1' }),
}), (t, r) => {
  t.strictSame(r.broadcast.log, ['connectionAttempt("255.255.255.255",80,4)', 'error(ENETUNREACH)', 'close(true)']);
  t.strictSame(r.broadcast.error, {
    ctor: 'Error', name: 'Error', code: 'ENETUNREACH', errno: uvErrno('ENETUNREACH'), syscall: 'connect', address: '255.255.255.255', port: 80,
    message: `connect ENETUNREACH 255.255.255.255:80 - Local (${unboundLocal})`, keys: ['errno', 'code', 'syscall', 'address', 'port'],
    stackHeader: `Error: connect ENETUNREACH 255.255.255.255:80 - Local (${unboundLocal})`,
  });
  t.match(r.multicast.error, { code: 'ENETUNREACH', message: `connect ENETUNREACH 224.0.0.1:80 - Local (${unboundLocal})` });
  t.match(r.bound.error, { message: 'connect ENETUNREACH 255.255.255.255:80 - Local (127.0.0.1:LOCALPORT)', keys: ['errno', 'code', 'syscall', 'address', 'port'] });
});

compare(t, 'a local address of the other family: bind EINVAL', async (net) => ({
  v4Target: await failedConnect(net, { host: '127.0.0.1', port: 80, localAddress: '::1' }),
  v6Target: await failedConnect(net, { host: '::1', port: 80, localAddress: '127.0.0.1' }),
}), (t, r) => {
  t.strictSame(r.v4Target.log, ['error(EINVAL)', 'close(true)']);
  t.strictSame(r.v4Target.error, {
    ctor: 'Error', name: 'Error', code: 'EINVAL', errno: uvErrno('EINVAL'), syscall: 'bind', address: '::1', message: 'bind EINVAL ::1',
    keys: ['errno', 'code', 'syscall', 'address'], stackHeader: 'Error: bind EINVAL ::1',
  });
  t.match(r.v6Target.error, { code: 'EINVAL', syscall: 'bind', message: 'bind EINVAL 127.0.0.1' });
});

compare(t, 'autoSelectFamily: immediate errors of each attempt, then AggregateError', async (net) => {
  // Answers on the next tick: node's attempts then fail inside the callback,
  // ours a turn later (the engine submits connects at the end of the turn).
  const lookup = (_host: string, _options: unknown, cb: (...args: any[]) => void) =>
    process.nextTick(cb, null, [{ address: '255.255.255.255', family: 4 }, { address: '224.0.0.1', family: 4 }]);
  const r = await failedConnect(net, { host: 'example.invalid', port: 80, lookup, autoSelectFamily: true });
  const errors = (r.error as any).errors.map((e: any) => ({ ...e, message: hideLocalPort(e.message), stackHeader: hideLocalPort(e.stackHeader) }));
  return { log: r.log.filter((line) => !line.startsWith('lookup')), errors, code: (r.error as any).code };
}, (t, r) => {
  t.strictSame(r.log, [
    'connectionAttempt("255.255.255.255",80,4)', 'connectionAttemptFailed("255.255.255.255",80,4,ENETUNREACH)',
    'connectionAttempt("224.0.0.1",80,4)', 'connectionAttemptFailed("224.0.0.1",80,4,ENETUNREACH)',
    'error(ENETUNREACH)', 'close(true)',
  ]);
  t.equal(r.errors[0].message, `connect ENETUNREACH 255.255.255.255:80 - Local (${unboundLocal})`);
  t.equal(r.errors[1].message, `connect ENETUNREACH 224.0.0.1:80 - Local (${unboundLocal})`);
});

compare(t, 'the local address in the message is what getsockname last answered', async (net) => {
  // address() before the attempt starts: node's handle has no socket yet, and
  // keeps that empty answer.
  const socket = net.connect({ host: '255.255.255.255', port: 80 });
  const early = socket.address();
  const log: string[] = [];
  let message = '';
  socket.on('error', (e) => (message = e.message));
  socket.on('connectionAttemptFailed', () => log.push('connectionAttemptFailed'));
  await once(socket, 'close');
  return { early, message, log };
}, (t, r) => t.strictSame(r, { early: {}, message: 'connect ENETUNREACH 255.255.255.255:80 - Local (undefined:undefined)', log: [] }));

compare(t, 'a local address given as an array of one address binds it (node turns it into a string)', async (net) => {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as import('node:net').AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const r = await failedConnect(net, { host: '127.0.0.1', port, localAddress: ['127.0.0.1'] });
  return { log: r.log.map((line) => line.split(String(port)).join('PORT')), code: (r.error as any).code };
}, (t, r) => t.strictSame(r, { log: ['connectionAttempt("127.0.0.1",PORT,4)', 'connectionAttemptFailed("127.0.0.1",PORT,4,ECONNREFUSED)', 'error(ECONNREFUSED)', 'close(true)'], code: 'ECONNREFUSED' }));
