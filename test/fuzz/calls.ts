// The fuzzed calls: what a call is made on (its subject: the module, a socket
// or a server in some state) and the 1-3 steps it takes on it, all drawn from
// the call's Rng. Steps run back to back in one tick.
//
// Calls on which node:net itself aborts or fails inside its own code are not
// generated; each such rule says why (see "excluded:").
import { types } from 'node:util';
import type { Rng } from './rng';
import { Values, Arb, arb } from './values';

export type SubjectKind =
  | 'net'
  | 'socket:fresh' | 'socket:connecting' | 'socket:connected' | 'socket:pipe' | 'socket:accepted'
  | 'socket:ended' | 'socket:destroyed' | 'socket:refused'
  | 'server:fresh' | 'server:listening' | 'server:pipe' | 'server:closed';

export interface Step {
  text: string;
  run(subject: any, net: any): unknown;
  /** The step starts a connect attempt (unless it throws): on the subject, or on the socket it returns. */
  connects?: 'subject' | 'result';
}

export interface Plan {
  subject: SubjectKind;
  steps: Step[];
  text: string;
}

const subjectWeights: Record<SubjectKind, number> = {
  net: 34,
  'socket:fresh': 10, 'socket:connecting': 6, 'socket:connected': 10, 'socket:pipe': 5, 'socket:accepted': 5,
  'socket:ended': 3, 'socket:destroyed': 3, 'socket:refused': 2,
  'server:fresh': 8, 'server:listening': 6, 'server:pipe': 3, 'server:closed': 3,
};

/** What a plan knows while it draws its steps. */
interface Draw {
  rng: Rng;
  v: Values;
  /** Call and step, for names that must be unique (unix paths). */
  tag: string;
  /** The subject socket may have a TCP handle / a unix socket handle now. */
  tcpHandle: boolean;
  pipeHandle: boolean;
  /** More than one step: several writes may be batched into one _writev. */
  batched: boolean;
  /** An earlier connect step may target an address connect(2) refuses at once. */
  failsAtOnce: boolean;
  /** An earlier step destroyed the socket. */
  destroyed: boolean;
  /** The subject is a socket whose end() finished ('socket:ended'). */
  ended: boolean;
  /** An earlier step called connect(): its handle's state is the kernel's business now. */
  connectedInPlan: boolean;
  /**
   * A connect() of the subject has not reached its handle yet (node makes
   * the socket and connects it in a later tick): the subject is
   * 'socket:connecting', or an earlier step called connect().
   */
  connectPending: boolean;
}

/** Windows node.exe under Wine (test/impl.ts isWine; not imported: that loads iocp-net). */
const isWine = process.platform === 'win32' && 'WINELOADER' in process.env;

export function planCall(rng: Rng, v: Values, index: number): Plan {
  const subject = rng.weighted(subjectWeights);
  const count = Number(rng.weighted({ 1: 70, 2: 20, 3: 10 }));
  const draw: Draw = {
    rng, v, tag: '', batched: count > 1, failsAtOnce: false, destroyed: false, connectedInPlan: false,
    connectPending: subject === 'socket:connecting', ended: subject === 'socket:ended',
    tcpHandle: ['socket:connecting', 'socket:connected', 'socket:accepted', 'socket:ended'].includes(subject),
    pipeHandle: subject === 'socket:pipe',
  };
  const steps: Step[] = [];
  for (let s = 0; s < count; s++) {
    draw.tag = `${index}-${s}`;
    if (subject === 'net') steps.push(moduleStep(draw));
    else if (subject.startsWith('socket:')) steps.push(socketStep(draw));
    else steps.push(serverStep(draw));
  }
  return { subject, steps, text: `${subject}: ${steps.map((s) => s.text).join('; ')}` };
}

// ---- building steps ---------------------------------------------------------

const list = (args: Arb[]) => args.map((a) => a.text).join(', ');

/** `receiver.method(...args)` on the subject (or on net for module steps). */
function method(receiver: string, name: string, args: Arb[], onNet = false): Step {
  return {
    text: `${receiver}.${name}(${list(args)})`,
    run: (subject, net) => (onNet ? net : subject)[name](...args.map((a) => a.value)),
  };
}

function getter(receiver: string, name: string): Step {
  return { text: `${receiver}.${name}`, run: (subject) => subject[name] };
}

/** `makers` in order, sometimes fewer of them, sometimes one hostile extra. */
function args(d: Draw, makers: Array<() => Arb>): Arb[] {
  const n = d.rng.chance(0.15) ? d.rng.int(makers.length + 1) : makers.length;
  const out = makers.slice(0, n).map((make) => make());
  if (d.rng.chance(0.08)) out.push(d.v.hostile());
  return out;
}

// ---- options ----------------------------------------------------------------

function socketOptionKeys(d: Draw): Record<string, () => Arb> {
  const { v } = d;
  return {
    allowHalfOpen: () => v.bool(), readable: () => v.bool(), writable: () => v.bool(), signal: () => v.signal(),
    onread: () => v.onread(), fd: () => v.fd(), noDelay: () => v.bool(), keepAlive: () => v.bool(),
    keepAliveInitialDelay: () => v.count(), objectMode: () => v.bool(), readableObjectMode: () => v.bool(),
    writableObjectMode: () => v.bool(), highWaterMark: () => v.count(), readableHighWaterMark: () => v.count(),
    writableHighWaterMark: () => v.count(),
  };
}

/** connect() options; `again`: on a socket connected earlier in the plan (no path, no local address). */
function connectOptions(d: Draw, withPath: boolean, again = false): Arb {
  const { v, rng } = d;
  const keys: Record<string, () => Arb> = {
    ...socketOptionKeys(d),
    port: () => v.portOption(), host: () => v.host(), family: () => rng.chance(0.7) ? arb(rng.pick([0, 4, 6, 'IPv4', 'IPv6', 5, 'x'])) : v.hostile(),
    hints: () => rng.chance(0.7) ? arb(rng.pick([0, 32, 1024, 12345, -1])) : v.hostile(),
    lookup: () => v.lookup(), localAddress: () => rng.chance(0.7) ? arb(rng.pick(['127.0.0.1', '::1', '0.0.0.0', '', 'bad'])) : v.hostile(),
    // No valid local port: that would bind a fixed port (0.5 binds port 0).
    localPort: () => arb(rng.pick([0, 0.5, -1, 65536, NaN, 'x', null])),
    timeout: () => v.duration(), autoSelectFamily: () => v.bool(), autoSelectFamilyAttemptTimeout: () => v.count(),
  };
  if (withPath) keys.path = () => v.path(d.tag);
  if (again) {
    // excluded: binding a socket whose connect(2) ran in this tick: whether
    // the kernel bound it already (or released it, refused) cannot be known
    // before our engine submits that connect.
    delete keys.localAddress;
    delete keys.localPort;
  }
  const extra: Record<string, Arb> = {};
  if (rng.chance(0.7)) {
    extra.port = v.portOption();
    extra.host = v.host();
  } else if (withPath && rng.chance(0.5)) {
    extra.path = v.path(d.tag);
  }
  return v.options(keys, extra);
}

function listenOptions(d: Draw): Arb {
  const { v, rng, tag } = d;
  const keys: Record<string, () => Arb> = {
    port: () => v.listenable(v.listenPort(), tag), host: () => v.listenHost(), path: () => v.listenable(v.path(tag), tag),
    backlog: () => v.backlog(), exclusive: () => v.bool(), ipv6Only: () => v.bool(), readableAll: () => v.bool(),
    writableAll: () => v.bool(), signal: () => v.signal(), fd: () => v.fd(),
    handle: () => rng.chance(0.5) ? arb({ fd: 99999 }, '{ fd: 99999 }') : v.listenable(v.hostile(), tag),
    _handle: () => arb({}, '{}'),
  };
  const extra: Record<string, Arb> = {};
  if (rng.chance(0.5)) extra.port = v.listenable(v.listenPort(), tag);
  else if (rng.chance(0.4)) extra.path = v.listenable(v.path(tag), tag);
  return v.options(keys, extra);
}

function serverOptions(d: Draw): Arb {
  const { v } = d;
  return v.options({
    allowHalfOpen: () => v.bool(), pauseOnConnect: () => v.bool(), noDelay: () => v.bool(), keepAlive: () => v.bool(),
    keepAliveInitialDelay: () => v.count(), highWaterMark: () => v.count(),
  });
}

// ---- argument lists -----------------------------------------------------------

/** The first argument must not name a unix socket (a string that is no number). */
function notAPath(a: Arb): Arb {
  return typeof a.value === 'string' && !(Number(a.value) >= 0) ? arb(0, `0 (for ${a.text})`) : a;
}

/** connect()/createConnection() arguments on a socket with no handle yet. */
function connectArgs(d: Draw): Arb[] {
  const { v, rng, tag } = d;
  switch (rng.weighted({ options: 30, optionsCb: 10, port: 8, portHost: 12, portHostCb: 6, portCb: 3, path: 6, pathCb: 3, none: 3, hostile: 8 })) {
    case 'options': return [connectOptions(d, true)];
    case 'optionsCb': return [connectOptions(d, true), v.callback()];
    case 'port': return [v.port()];
    case 'portHost': return [v.port(), v.host()];
    case 'portHostCb': return [v.port(), v.host(), v.callback()];
    case 'portCb': return [v.port(), v.callback()];
    case 'path': return [v.path(tag)];
    case 'pathCb': return [v.path(tag), v.callback()];
    case 'none': return [];
    default: return args(d, [() => v.hostile(), () => v.hostile(), () => v.hostile()]);
  }
}

/**
 * connect() again on a socket that may have a handle. Excluded, as node:net
 * fails inside its own code on them:
 * - a unix socket path on a TCP handle: TCPWrap::Connect asserts its port
 *   argument (node aborts);
 * - an IPv6 address on a unix socket handle: node calls the Pipe handle's
 *   connect6, which does not exist (TypeError thrown from node's internals).
 */
function reconnectArgs(d: Draw): Arb[] {
  const { v, rng } = d;
  if (d.tcpHandle && !d.pipeHandle) {
    switch (rng.weighted({ options: 4, port: 1, portHost: 3, portHostCb: 1 })) {
      case 'options': return [connectOptions(d, false, d.connectedInPlan)];
      case 'port': return [notAPath(v.port())];
      case 'portHost': return [notAPath(v.port()), v.host()];
      default: return [notAPath(v.port()), v.host(), v.callback()];
    }
  }
  const ipv4Host = () => arb(rng.pick(['127.0.0.1', 'localhost', '0.0.0.0', 'nonexistent.invalid']));
  const port = () => notAPath(v.port());
  const forms: Record<string, () => Arb[]> = {
    portHost: () => [port(), ipv4Host()],
    options: () => [arb({ port: d.v.fx.livePort, host: '127.0.0.1' }, '{ port: LIVE, host: "127.0.0.1" }')],
  };
  // (Not after a connect() in this plan: see connectOptions.)
  // excluded on Windows: a local address on a unix (pipe) handle: node.exe
  // calls the pipe handle's bind, and libuv's uv_pipe_bind on a connected
  // pipe crashes node.exe (access violation, 0xC0000005).
  if (!d.connectedInPlan && !(process.platform === 'win32' && d.pipeHandle)) {
    forms.bound = () => [arb({ port: d.v.fx.livePort, host: '127.0.0.1', localAddress: '127.0.0.1' },
      '{ port: LIVE, host: "127.0.0.1", localAddress: "127.0.0.1" }')];
  }
  if (!d.tcpHandle) {
    forms.path = () => [v.path(d.tag)];
    forms.pathOptions = () => [arb({ path: d.v.fx.livePipe }, '{ path: LIVEPIPE }')];
  }
  const form = rng.pick(Object.keys(forms));
  const out = forms[form]();
  if (rng.chance(0.3)) out.push(v.callback());
  return out;
}

/** Hosts connect(2) refuses at once (broadcast; link-local without a usable zone). */
const refusedHosts = new Set(['255.255.255.255', 'fe80::1%1', 'fe80::1%nosuchif']);

/**
 * Might this connect() argument target a host refused at once? An options
 * object counts by its host; a Proxy (not to be touched here) or a getter
 * might.
 */
function refusedAtOnce(a: Arb): boolean {
  const v = a.value as any;
  if (typeof v === 'string') return refusedHosts.has(v);
  if (v === null || typeof v !== 'object') return false;
  if (types.isProxy(v)) return true;
  const host = Object.getOwnPropertyDescriptor(v, 'host');
  return host !== undefined && (!('value' in host) || refusedHosts.has(host.value));
}

/** Makes hex text even-length when writes may be batched. */
function evenHex(d: Draw, data: Arb, encoding: Arb | undefined): Arb {
  // excluded: node aborts on an odd-length hex string in a _writev batch
  // (StringBytes::StorageSize asserts "invalid hex string length").
  const hex = typeof encoding?.value === 'string' && encoding.value.toLowerCase() === 'hex';
  if (d.batched && hex && typeof data.value === 'string' && data.value.length % 2 === 1) {
    return arb(`${data.value}0`, `${data.text} + '0'`);
  }
  return data;
}

/** write()/end() arguments: data, encoding, callback in their usual combinations. */
function writeArgs(d: Draw, noneWeight: number): Arb[] {
  const { v, rng } = d;
  const form = rng.weighted({ data: 25, dataCb: 20, dataEnc: 15, dataEncCb: 20, none: noneWeight, cb: 4, hostile: 8 });
  if (form === 'none') return [];
  if (form === 'cb') return [v.callback()];
  if (form === 'hostile') return args(d, [() => v.hostile(), () => v.hostile(), () => v.hostile()]);
  const encoding = form === 'dataEnc' || form === 'dataEncCb' ? v.encoding() : undefined;
  const out = [evenHex(d, v.data(!d.batched), encoding)];
  if (encoding) out.push(encoding);
  if (form === 'dataCb' || form === 'dataEncCb') out.push(v.callback());
  return out;
}

// ---- steps per subject --------------------------------------------------------

const socketGetters = ['bytesWritten', 'bytesRead', 'readyState', 'pending', 'connecting', 'remoteAddress', 'remotePort',
  'remoteFamily', 'localAddress', 'localPort', 'localFamily', 'bufferSize', 'timeout', '_bytesDispatched', 'writableLength',
  'destroyed', 'allowHalfOpen'];

function socketStep(d: Draw): Step {
  const { v, rng } = d;
  const s = 'socket';
  const name = rng.weighted({
    connect: 12, write: 14, end: 8, setTimeout: 6, setNoDelay: 5, setKeepAlive: 5, address: 4, setEncoding: 4, destroy: 4,
    destroySoon: 2, resetAndDestroy: 3, pause: 1, resume: 1, ref: 1, unref: 1, cork: 1, uncork: 1, read: 2, getter: 8,
  });
  switch (name) {
    case 'connect': {
      // excluded: another connect() in the tick of one to an address
      // connect(2) refuses at once: node's error comes from inside that
      // first call, ours a loop turn later (a documented difference).
      // excluded: connect() after destroy() in one tick: the two handles
      // close in that loop turn, and node emits their 'close' events in
      // reverse order (libuv's closing list), ours in order.
      // excluded on Windows: a second connect() while one is pending. On a
      // pipe handle node.exe throws from its own code once the first
      // completes (afterConnect asserts `connecting`: the second's EBUSY
      // ended it). Under Wine a TCP connect to loopback completes, or is
      // refused, at once (docs/DESIGN.md "Wine" 5), so node.exe's second
      // ConnectEx races the first: EISCONN if it completed, EINVAL (Wine's
      // answer for a ConnectEx while one is in flight) if not, ECONNABORTED
      // if it was refused.
      if (d.failsAtOnce || d.destroyed || (process.platform === 'win32' && d.connectPending)) {
        return method(s, 'address', []);
      }
      const a = d.tcpHandle || d.pipeHandle ? reconnectArgs(d) : connectArgs(d);
      d.failsAtOnce = a.some(refusedAtOnce);
      d.connectedInPlan = true;
      d.connectPending = true;
      // From now on the socket may have either kind of handle.
      d.tcpHandle = true;
      d.pipeHandle = true;
      return { ...method(s, 'connect', a), connects: 'subject' };
    }
    case 'write':
    case 'end': {
      const a = writeArgs(d, name === 'write' ? 3 : 25);
      // A write (or end() with data) on an ended socket fails and destroys
      // it ('write after end'). Under Wine that counts as a destroy for a
      // later connect() (see 'connect'): its refusal at once (docs/DESIGN.md
      // "Wine" 5) may come before or after the old handle's 'close' in
      // node.exe; on Windows the refusal takes long enough to come after.
      if (isWine && d.ended && (name === 'write' || a.length > 0)) d.destroyed = true;
      return method(s, name, a);
    }
    case 'setTimeout': return method(s, 'setTimeout', args(d, [() => v.duration(), () => v.callback()]));
    case 'setNoDelay': return method(s, 'setNoDelay', args(d, [() => v.bool()]));
    case 'setKeepAlive': {
      const a = args(d, [() => v.bool(), () => v.count()]);
      // excluded under Wine (docs/DESIGN.md "Wine" 5: Wine refuses
      // TCP_KEEPALIVE): keep-alive turned on before the connect made its
      // socket, node.exe's libuv applies it inside that connect, which then
      // fails ('connect UNKNOWN'); on Windows it connects, as iocp-net does.
      if (isWine && d.connectPending && a.length > 0 && Boolean(a[0].value)) return method(s, 'address', []);
      return method(s, 'setKeepAlive', a);
    }
    case 'setEncoding': return method(s, 'setEncoding', args(d, [() => v.encoding()]));
    case 'destroy': {
      d.destroyed = true;
      const why = rng.weighted({ none: 6, error: 3, hostile: 1 });
      return method(s, 'destroy', why === 'none' ? [] : why === 'error' ? [arb(new Error('boom'), "new Error('boom')")] : [v.hostile()]);
    }
    case 'read': return method(s, 'read', args(d, [() => v.count()]));
    case 'getter': return getter(s, rng.pick(socketGetters));
    case 'cork':
      d.batched = true;
      return method(s, 'cork', args(d, []));
    default: {
      const name = rng.pick(['address', 'destroySoon', 'resetAndDestroy', 'pause', 'resume', 'ref', 'unref', 'uncork']);
      if (name === 'resetAndDestroy') d.destroyed = true;
      return method(s, name, args(d, []));
    }
  }
}

function listenArgs(d: Draw): Arb[] {
  const { v, rng, tag } = d;
  const port = () => v.listenable(v.listenPort(), tag);
  const path = () => v.listenable(v.path(tag), tag);
  switch (rng.weighted({
    none: 4, cb: 4, port: 8, portCb: 6, portHost: 8, portHostBacklog: 4, portHostBacklogCb: 4, portBacklog: 3, path: 8,
    pathBacklogCb: 3, options: 20, optionsCb: 8, hostile: 6,
  })) {
    case 'none': return [];
    case 'cb': return [v.callback()];
    case 'port': return [port()];
    case 'portCb': return [port(), v.callback()];
    case 'portHost': return [port(), v.listenHost()];
    case 'portHostBacklog': return [port(), v.listenHost(), v.count()];
    case 'portHostBacklogCb': return [port(), v.listenHost(), v.count(), v.callback()];
    case 'portBacklog': return [port(), v.count()];
    case 'path': return [path()];
    case 'pathBacklogCb': return [path(), v.count(), v.callback()];
    case 'options': return [listenOptions(d)];
    case 'optionsCb': return [listenOptions(d), v.callback()];
    default: return args(d, [() => v.listenable(v.hostile(), tag), () => v.hostile(), () => v.hostile()]);
  }
}

function serverStep(d: Draw): Step {
  const { v, rng } = d;
  const s = 'server';
  switch (rng.weighted({ listen: 14, close: 6, address: 4, getConnections: 3, ref: 1, unref: 1, getter: 2, asyncDispose: 1 })) {
    case 'listen': {
      // The first argument decides what listen() binds (an extra hostile one may have become it).
      const a = listenArgs(d);
      if (a.length > 0) a[0] = v.listenable(a[0], d.tag);
      // excluded on Windows: a backlog that reaches the handle as 0 or less
      // (Infinity, -1, 'x'...): Windows libuv's uv_tcp_listen asserts
      // backlog > 0 (node.exe aborts; docs/DESIGN.md, after "Wine").
      if (process.platform === 'win32' && mayAbortListen(a)) return method(s, 'address', []);
      return method(s, 'listen', a);
    }
    case 'close': return method(s, 'close', args(d, [() => v.callback()]));
    case 'getConnections': return method(s, 'getConnections', args(d, [() => v.callback()]));
    case 'getter': return getter(s, rng.pick(['listening', 'maxConnections']));
    case 'asyncDispose': return {
      text: 'server[Symbol.asyncDispose]()',
      run: (subject) => subject[(Symbol as any).asyncDispose](),
    };
    default: return method(s, rng.pick(['address', 'ref', 'unref']), args(d, []));
  }
}

/**
 * Might node's listen() hand its handle a backlog that is 0 or less as an
 * int32? It takes `options.backlog || toNumber(args[1]) || toNumber(args[2])`
 * (toNumber: a number >= 0, else false), then `backlog || 511`. Anything
 * that is not a plain value (a getter, a Proxy, an object) counts as might.
 */
function mayAbortListen(a: Arb[]): boolean {
  const risky = (n: number) => Boolean(n) && (n | 0) <= 0;
  const plain = (x: unknown) => x === null || ['undefined', 'number', 'string', 'boolean'].includes(typeof x);
  const first = a[0]?.value as any;
  if (first !== null && typeof first === 'object') {
    if (types.isProxy(first)) return true;
    const own = Object.getOwnPropertyDescriptor(first, 'backlog');
    if (own === undefined ? 'backlog' in first : !('value' in own)) return true;
    const backlog = own?.value;
    if (backlog) return !plain(backlog) || risky(Number(backlog));
  }
  for (const arg of [a[1], a[2]]) {
    if (arg === undefined) continue;
    if (!plain(arg.value)) return true;
    const n = Number(arg.value);
    if (n >= 0 && n) return risky(n);
  }
  return false;
}

function serverArgs(d: Draw): Arb[] {
  const { v, rng } = d;
  switch (rng.weighted({ none: 3, options: 6, optionsCb: 4, cb: 3, hostile: 3 })) {
    case 'none': return [];
    case 'options': return [serverOptions(d)];
    case 'optionsCb': return [serverOptions(d), v.callback()];
    case 'cb': return [v.callback()];
    default: return args(d, [() => v.hostile(), () => v.hostile()]);
  }
}

/** `new net.X(...)` or `net.X(...)` (node's classes work without new). */
function construct(d: Draw, name: string, a: Arb[]): Step {
  const withNew = d.rng.chance(0.7);
  return {
    text: `${withNew ? 'new ' : ''}net.${name}(${list(a)})`,
    run: (_subject, net) => (withNew ? new net[name](...a.map((x) => x.value)) : net[name](...a.map((x) => x.value))),
  };
}

function socketAddressOptions(d: Draw): Arb {
  const { v, rng } = d;
  // excluded: a port validatePort accepts that is no int32 (a numeric
  // string, -0) makes node 20's _SocketAddress assert (node aborts).
  const port = () => {
    const a = rng.chance(0.6) ? arb(rng.pick([0, 80, 65535, 65536, -1, 1.5])) : v.hostile();
    return typeof a.value === 'string' || Object.is(a.value, -0) ? arb(0, `0 (for ${a.text})`) : a;
  };
  return v.options({
    address: () => rng.chance(0.7) ? arb(rng.pick(['127.0.0.1', '::1', 'zz', '', '::ffff:1.2.3.4'])) : v.hostile(),
    family: () => rng.chance(0.7) ? arb(rng.pick(['ipv4', 'ipv6', 'IPv4', 'IPV6', 'x'])) : v.hostile(),
    port,
    // excluded: a flow label validateUint32 accepts that is over 20 bits, or
    // -0, makes node 20's _SocketAddress assert (node aborts).
    flowlabel: () => {
      const a = rng.chance(0.6) ? arb(rng.pick([0, 1, 0xfffff, 2 ** 20, -1])) : v.hostile();
      const n = a.value as number;
      const aborts = typeof n === 'number' && Number.isInteger(n) && (Object.is(n, -0) || (n > 0xfffff && n <= 0xffffffff));
      return aborts ? arb(0, `0 (for ${a.text})`) : a;
    },
  });
}

function blockListStep(d: Draw): Step {
  const { v, rng } = d;
  const address = () => rng.chance(0.7) ? arb(rng.pick(['1.2.3.4', '10.0.0.1', '::1', 'zz', ''])) : v.hostile();
  const type = () => rng.chance(0.7) ? arb(rng.pick(['ipv4', 'ipv6', 'IPV4', 'x'])) : v.hostile();
  const [name, makers] = rng.pick([
    ['addAddress', [address, type]], ['addRange', [address, address, type]],
    // excluded: a prefix of -0 passes validateInt32 and makes node 20's
    // BlockList assert (node aborts).
    ['addSubnet', [address, () => {
      const a = rng.chance(0.7) ? arb(rng.pick([0, 8, 24, 33, 129, -1])) : v.hostile();
      return Object.is(a.value, -0) ? arb(0, `0 (for ${a.text})`) : a;
    }, type]],
    ['check', [address, type]],
  ] as Array<[string, Array<() => Arb>]>);
  const a = args(d, makers);
  return {
    text: `new net.BlockList().${name}(${list(a)})`,
    run: (_subject, net) => new net.BlockList()[name](...a.map((x) => x.value)),
  };
}

function moduleStep(d: Draw): Step {
  const { v, rng } = d;
  switch (rng.weighted({
    connect: 14, createConnection: 6, createServer: 8, Socket: 8, Server: 4, isIP: 4, BlockList: 3, SocketAddress: 3,
    autoSelectFamily: 3, normalizeArgs: 2,
  })) {
    case 'connect': return { ...method('net', 'connect', connectArgs(d), true), connects: 'result' };
    case 'createConnection': return { ...method('net', 'createConnection', connectArgs(d), true), connects: 'result' };
    case 'createServer': return method('net', 'createServer', serverArgs(d), true);
    case 'Server': return construct(d, 'Server', serverArgs(d));
    case 'Socket': {
      const form = rng.weighted({ none: 2, options: 6, fd: 1, hostile: 2 });
      const a = form === 'none' ? [] : form === 'options' ? [v.options(socketOptionKeys(d))] : form === 'fd' ? [v.fd()] : [v.notAnOpenFd(v.hostile())];
      return construct(d, rng.chance(0.8) ? 'Socket' : 'Stream', a);
    }
    case 'isIP': return method('net', rng.pick(['isIP', 'isIPv4', 'isIPv6']), args(d, [() => v.host()]), true);
    case 'BlockList': return blockListStep(d);
    case 'SocketAddress': return construct(d, 'SocketAddress', rng.chance(0.8) ? [socketAddressOptions(d)] : [v.hostile()]);
    case 'autoSelectFamily': {
      const name = rng.pick(['setDefaultAutoSelectFamily', 'setDefaultAutoSelectFamilyAttemptTimeout',
        'getDefaultAutoSelectFamily', 'getDefaultAutoSelectFamilyAttemptTimeout']);
      const a = name.startsWith('set') ? args(d, [() => (name.endsWith('Timeout') ? v.count() : v.bool())]) : [];
      return method('net', name, a, true);
    }
    default: {
      const a = connectArgs(d);
      return { text: `net._normalizeArgs([${list(a)}])`, run: (_subject, net) => net._normalizeArgs(a.map((x) => x.value)) };
    }
  }
}
