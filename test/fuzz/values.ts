// Values for fuzz calls: hostile ones of every kind (wrong types, NaN,
// negatives, huge numbers, NUL bytes, Symbols, arrays, throwing getters,
// Proxies) and domain ones (ports, hosts, paths, encodings, data, options)
// that get a call past its first checks. Each value comes with a text that
// names it in a failure report; both come from the call's Rng alone.
import { isIP } from 'node:net';
import { types } from 'node:util';
import { Rng } from './rng';
import type { Fixtures } from './fixtures';

export interface Arb {
  value: unknown;
  text: string;
}

export const arb = (value: unknown, text = render(value)): Arb => ({ value, text });

function render(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (Object.is(value, -0)) return '-0';
  return String(value);
}

/** Records a callback's invocation: label, and the arguments it got. */
export type CallbackRecorder = (label: string, args: unknown[]) => void;

type Maker = (v: Values) => Arb;

// Every kind of wrong value. Functions so each call gets fresh objects.
const hostileMakers: Maker[] = [
  () => arb(undefined), () => arb(null), () => arb(true), () => arb(false),
  () => arb(0), () => arb(-0), () => arb(1), () => arb(-1), () => arb(1.5), () => arb(NaN),
  () => arb(Infinity), () => arb(-Infinity), () => arb(2 ** 31, '2**31'), () => arb(2 ** 32, '2**32'),
  () => arb(2 ** 53, '2**53'), () => arb(1e21), () => arb(Number.MAX_VALUE, 'Number.MAX_VALUE'),
  () => arb(Number.MIN_VALUE, 'Number.MIN_VALUE'), () => arb(-(2 ** 31), '-(2**31)'),
  () => arb(1n), () => arb(2n ** 64n, '2n**64n'),
  () => arb(''), () => arb('0'), () => arb('80'), () => arb(' 80 '), () => arb('0x50'), () => arb('1e3'), () => arb('-1'),
  () => arb('abc'), () => arb('a\0b'), () => arb('\0'), () => arb('x'.repeat(300), "'x'.repeat(300)"), () => arb('\ud800'),
  () => arb('Infinity'), () => arb('true'), () => arb('null'),
  () => arb(Symbol('fuzz'), 'Symbol(fuzz)'), () => arb(Symbol.iterator, 'Symbol.iterator'),
  () => arb({}, '{}'), () => arb([], '[]'), () => arb([1, 2], '[1, 2]'), () => arb(['127.0.0.1'], "['127.0.0.1']"),
  () => arb(Object.create(null), 'Object.create(null)'),
  () => arb(function named() {}, 'function named() {}'), () => arb(() => {}, '() => {}'), () => arb(class K {}, 'class K {}'),
  () => arb(new Date(0), 'new Date(0)'), () => arb(/x/g, '/x/g'), () => arb(new Error('e'), "new Error('e')"),
  () => arb(Buffer.from('ab'), "Buffer.from('ab')"), () => arb(new Uint8Array(3), 'new Uint8Array(3)'),
  () => arb(new DataView(new ArrayBuffer(2)), 'new DataView(new ArrayBuffer(2))'), () => arb(new ArrayBuffer(4), 'new ArrayBuffer(4)'),
  () => arb(new String('80'), "new String('80')"), () => arb(new Number(80), 'new Number(80)'), () => arb(new Boolean(false), 'new Boolean(false)'),
  () => arb(new Map([[1, 2]]), 'new Map([[1, 2]])'), () => arb(new Set([1]), 'new Set([1])'),
  () => arb({ valueOf() { throw new Error('valueOf called'); } }, '{ valueOf() { throw } }'),
  () => arb({ toString() { throw new Error('toString called'); } }, '{ toString() { throw } }'),
  () => arb({ [Symbol.toPrimitive]: () => 80 }, '{ [Symbol.toPrimitive]: () => 80 }'),
  () => arb(Object.freeze({ port: 0 }), 'Object.freeze({ port: 0 })'),
  () => arb(new Proxy({}, {}), 'new Proxy({}, {})'),
  (v) => v.throwingProxy({ port: v.fx.livePort, host: '127.0.0.1' }, '{ port: LIVE, host: "127.0.0.1" }'),
  (v) => v.throwingProxy([], '[]'),
];

// Each trap a Proxy can have for the objects net reads (functions are not proxied).
const proxyTraps = ['get', 'has', 'ownKeys', 'getOwnPropertyDescriptor', 'getPrototypeOf', 'set', 'defineProperty',
  'deleteProperty', 'isExtensible', 'preventExtensions', 'setPrototypeOf'] as const;

export class Values {
  private callbacks = 0;

  constructor(readonly rng: Rng, readonly fx: Fixtures, private readonly recordCallback: CallbackRecorder) {}

  hostile(): Arb {
    return this.rng.pick(hostileMakers)(this);
  }

  /** A domain value most of the time, a hostile one otherwise. */
  private mix(domain: Maker[], hostileShare = 0.25): Arb {
    return this.rng.chance(hostileShare) ? this.hostile() : this.rng.pick(domain)(this);
  }

  /**
   * A Proxy that throws on its k-th trap, whichever it is; the message names
   * that trap and key, so reading in another order shows.
   */
  throwingProxy(target: object, targetText: string): Arb {
    const k = this.rng.int(6);
    let count = 0;
    const handler: ProxyHandler<object> = {};
    for (const trap of proxyTraps) {
      (handler as any)[trap] = (...args: any[]) => {
        if (count++ === k) {
          const key = args.length > 1 && typeof args[1] !== 'object' ? ` ${String(args[1])}` : '';
          throw new Error(`proxy trap #${k}: ${trap}${key}`);
        }
        return (Reflect as any)[trap](...args);
      };
    }
    return arb(new Proxy(target, handler), `Proxy(${targetText}, throws on trap #${k})`);
  }

  // ---- domain values --------------------------------------------------------

  /** Ports to connect to: the live server, a closed port, edge and malformed ones. */
  port(): Arb {
    const { livePort, closedPort } = this.fx;
    return this.mix([
      () => arb(livePort, 'LIVE'), () => arb(livePort, 'LIVE'), () => arb(closedPort, 'CLOSED'),
      () => arb(String(livePort), "'LIVE'"), () => arb(` ${livePort} `, "' LIVE '"), () => arb(80.5), () => arb(70000), () => arb(-80),
      () => arb(0), () => arb(1), () => arb(65535), () => arb(65536), () => arb(-1), () => arb(NaN), () => arb(''), () => arb(' '),
      () => arb('0x1F'), () => arb('1e3'), () => arb(true), () => arb(null), () => arb(undefined),
    ]);
  }

  /** options.port: as port(), or a getter that gives LIVE on its first read only. */
  portOption(): Arb {
    return this.rng.chance(0.08) ? this.statefulGetterValue(this.fx.livePort, 'LIVE', 'x') : this.port();
  }

  /** Ports to listen on: only 0 and invalid ones (the suite never binds fixed ports). */
  listenPort(): Arb {
    return this.mix([
      () => arb(0), () => arb('0'), () => arb(null), () => arb(undefined), () => arb(-1), () => arb(65536), () => arb(1.5),
      () => arb(NaN), () => arb(''), () => arb(' 0'), () => arb('0x0'), () => arb(2 ** 16, '2**16'), () => arb(-0),
      () => arb(true), () => arb({}, '{}'),
    ]);
  }

  /** Hosts to connect to: local literals, names (resolved by the child's fixed table), malformed ones. */
  host(): Arb {
    return notAnAddressObject(this.mix([
      () => arb('127.0.0.1'), () => arb('127.0.0.1'), () => arb('localhost'), () => arb('::1'), () => arb('0.0.0.0'), () => arb('::'),
      () => arb(''), () => arb('nonexistent.invalid'), () => arb('a\0b'), () => arb('256.1.1.1'), () => arb('255.255.255.255'),
      () => arb('::ffff:127.0.0.1'), () => arb('[::1]'), () => arb('fe80::1%nosuchif'), () => arb('1.2.3.4.5'), () => arb(' 127.0.0.1'),
      () => arb('127.1'), () => arb('LOCALHOST'), () => arb('::1%nosuchif'), () => arb('::1%lo'), () => arb('fe80::1%1'),
    ]));
  }

  /** Hosts to listen on (never a routable address: that would fail slowly or bind publicly). */
  listenHost(): Arb {
    return this.mix([
      () => arb('127.0.0.1'), () => arb('localhost'), () => arb('::1'), () => arb('0.0.0.0'), () => arb(''), () => arb('1.2.3.4'),
      () => arb('nonexistent.invalid'), () => arb('a\0b'), () => arb('::ffff:127.0.0.1'), () => arb('fe80::1%nosuchif'),
      () => arb('::1%nosuchif'), () => arb('::1%1'),
    ]);
  }

  /** Unix socket paths; `tag` makes long and abstract names unique to a step. */
  path(tag: string): Arb {
    const { dir, livePipe, abstractPrefix } = this.fx;
    return this.mix([
      () => arb(livePipe, 'LIVEPIPE'), () => arb(livePipe, 'LIVEPIPE'), () => arb(`${dir}/missing.sock`, "'DIR/missing.sock'"),
      () => arb(`p-${tag}.sock`, `'p-${tag}.sock'`), () => arb(`${dir}/long-${tag}-${'x'.repeat(150)}`, `'DIR/long-${tag}-' + 'x'.repeat(150)`),
      () => arb(`${abstractPrefix}${tag}`, `'\\0ABSTRACT${tag}'`), () => arb(`${dir}/nul\0${tag}.sock`, `'DIR/nul\\0${tag}.sock'`),
      () => arb('/nonexistent-dir/x.sock'), () => arb(dir, 'DIR'), () => arb(`${dir}/file`, "'DIR/file' (a regular file)"),
      () => arb('\0'), () => arb('0'), () => arb('80'),
    ]);
  }

  encoding(): Arb {
    return this.mix([
      () => arb('utf8'), () => arb('utf-8'), () => arb('UTF8'), () => arb('hex'), () => arb('HEX'), () => arb('base64'),
      () => arb('base64url'), () => arb('latin1'), () => arb('binary'), () => arb('ascii'), () => arb('ucs2'), () => arb('utf16le'),
      () => arb('buffer'), () => arb('nope'), () => arb(''),
    ], 0.15);
  }

  /**
   * Data to write. Large data only when `large`: whether write() returns
   * true for a large write behind another depends on when the kernel takes
   * it (node tries at once; our engine queues it behind the first: a
   * documented difference).
   */
  data(large: boolean): Arb {
    const small: Maker[] = [
      () => arb('hello'), () => arb(''), () => arb('a\0b'), () => arb('é'), () => arb('\ud800'), () => arb('zz'), () => arb('abc'),
      () => arb('YQ=='), () => arb(Buffer.from('abc'), "Buffer.from('abc')"), () => arb(Buffer.alloc(0), 'Buffer.alloc(0)'),
      () => arb(new Uint8Array([1, 2]), 'new Uint8Array([1, 2])'), () => arb(new DataView(new ArrayBuffer(3)), 'new DataView(new ArrayBuffer(3))'),
    ];
    const big: Maker[] = [() => arb('x'.repeat(70000), "'x'.repeat(70000)"), () => arb(Buffer.alloc(70000), 'Buffer.alloc(70000)')];
    return this.mix(large ? [...small, ...big] : small, 0.3);
  }

  /**
   * Durations for setTimeout and timeouts: none short enough to fire while
   * a call runs (whether a 1 ms timer fires before the call is cleaned up
   * is a race, the same on both).
   */
  duration(): Arb {
    const a = this.mix([
      () => arb(0), () => arb(1000), () => arb(60000), () => arb(-1), () => arb(NaN), () => arb(Infinity), () => arb(2 ** 31, '2**31'),
      () => arb('10'), () => arb(null), () => arb(undefined), () => arb(2 ** 31 - 1, '2**31 - 1'),
    ]);
    const ms = a.value;
    return typeof ms === 'number' && ms > 0 && ms < 1000 ? arb(1000, `1000 (for ${a.text})`) : a;
  }

  bool(): Arb {
    return this.mix([() => arb(true), () => arb(false), () => arb(undefined), () => arb(0), () => arb(1), () => arb('')], 0.3);
  }

  /** A small count or size (backlog, highWaterMark, keepAliveInitialDelay...). */
  count(): Arb {
    return this.mix([
      () => arb(0), () => arb(1), () => arb(16), () => arb(1000), () => arb(-1), () => arb(NaN), () => arb(2 ** 31, '2**31'),
      () => arb(1.5), () => arb('5'), () => arb(Infinity),
    ]);
  }

  /**
   * A function that records its calls under a label of its own, or a
   * hostile value. No callback throws (a class cannot even be called): an
   * exception thrown from node's stream internals leaves the rest of their
   * tick queue to the next macrotask, and which one that is (a phase of
   * node's loop, a completion of our engine) differs by design.
   */
  callback(): Arb {
    if (this.rng.chance(0.15)) {
      const a = this.hostile();
      return typeof a.value === 'function' && /^class\b/.test(Function.prototype.toString.call(a.value)) ? arb(() => {}, '() => {}') : a;
    }
    const label = `cb${++this.callbacks}`;
    const record = this.recordCallback;
    return arb(function (...args: unknown[]) { record(label, args); }, label);
  }

  /**
   * A backlog for listen() options. excluded: one whose conversion to a
   * number throws (a Proxy, a throwing valueOf, a Symbol, a BigInt): node
   * throws it from handle.listen() after binding, and keeps that bound
   * socket, not listening, as a server that says it listens; we throw it
   * before binding (a difference left on purpose).
   */
  backlog(): Arb {
    const a = this.count();
    const v = a.value;
    if (typeof v === 'symbol' || typeof v === 'bigint' || types.isProxy(v)) return arb(511, `511 (for ${a.text})`);
    try {
      void +(v as number);
      return a;
    } catch {
      return arb(511, `511 (for ${a.text})`);
    }
  }

  /** options.lookup: functions answering well or badly, or not a function. */
  lookup(): Arb {
    const answer = (label: string, answer: (opts: any, cb: (...a: any[]) => void) => void): Arb =>
      arb((_host: string, opts: any, cb: (...a: any[]) => void) => answer(opts, cb), label);
    const v4 = (opts: any) => (opts?.all ? [[{ address: '127.0.0.1', family: 4 }]] : ['127.0.0.1', 4]);
    return this.mix([
      () => answer('lookup answering 127.0.0.1 at once', (opts, cb) => cb(null, ...v4(opts))),
      () => answer('lookup answering 127.0.0.1 on the next tick', (opts, cb) => process.nextTick(cb, null, ...v4(opts))),
      () => answer('lookup failing with ENOTFOUND', (_opts, cb) => {
        cb(Object.assign(new Error('getaddrinfo ENOTFOUND fuzz'), { code: 'ENOTFOUND', syscall: 'getaddrinfo' }));
      }),
      () => answer("lookup answering 'not-an-ip'", (opts, cb) => cb(null, ...(opts?.all ? [[{ address: 'not-an-ip', family: 4 }]] : ['not-an-ip', 4]))),
      () => answer('lookup answering family 7', (opts, cb) => cb(null, ...(opts?.all ? [[{ address: '127.0.0.1', family: 7 }]] : ['127.0.0.1', 7]))),
      () => answer('lookup answering []', (_opts, cb) => cb(null, [])),
      () => answer('lookup throwing', () => { throw new Error('lookup throws'); }),
      () => answer('lookup answering two families', (opts, cb) => cb(null, ...(opts?.all
        ? [[{ address: '127.0.0.1', family: 4 }, { address: '::1', family: 6 }]] : ['127.0.0.1', 4]))),
    ], 0.3);
  }

  signal(): Arb {
    return this.mix([
      () => arb(new AbortController().signal, 'new AbortController().signal'), () => arb(AbortSignal.abort(), 'AbortSignal.abort()'),
      () => arb({ aborted: false }, '{ aborted: false }'), () => arb({ aborted: true }, '{ aborted: true }'),
    ]);
  }

  onread(): Arb {
    return this.mix([
      (v) => arb({ buffer: Buffer.alloc(8), callback: v.callback().value }, '{ buffer: Buffer.alloc(8), callback }'),
      (v) => arb({ buffer: () => Buffer.alloc(4), callback: v.callback().value }, '{ buffer: () => Buffer.alloc(4), callback }'),
      () => arb({ buffer: 5, callback: 5 }, '{ buffer: 5, callback: 5 }'), () => arb({}, '{}'),
    ]);
  }

  /** Descriptors that are not open here (adopting real ones is a documented limitation). */
  fd(): Arb {
    return this.notAnOpenFd(this.mix([
      () => arb(99999), () => arb(1e9), () => arb(-1), () => arb(1.5), () => arb(NaN), () => arb(2 ** 31, '2**31'), () => arb('3'),
    ]));
  }

  /**
   * `a`, unless it names one of this process's open descriptors: node would
   * adopt it (stdout is how a child reports), which iocp-net does not do (a
   * documented limitation). 0 is /dev/null here: node calls that a file.
   */
  notAnOpenFd(a: Arb): Arb {
    return a.value === 1 || a.value === 2 ? arb(99999, `99999 (for ${a.text})`) : a;
  }

  /**
   * `a`, unless listening on it would bind a fixed port (the suite never
   * does) or a long unix path another call may reuse (node 20 leaves a cut
   * name's file behind at close: a later listen would fail on node only).
   */
  listenable(a: Arb, tag: string): Arb {
    const v = a.value;
    if (typeof v === 'number' || (typeof v === 'string' && Number(v) >= 0)) {
      const n = +(v as number);
      const port = typeof v === 'string' && v.trim() === '' ? NaN : n;
      if (Number.isInteger(port) && port >= 1 && port <= 0xffff) return arb(0, `0 (for ${a.text})`);
    } else if (typeof v === 'string' && Buffer.byteLength(v) > 100) {
      return arb(`${this.fx.dir}/long-${tag}-${'y'.repeat(120)}`, `'DIR/long-${tag}-' + 'y'.repeat(120) (for ${a.text})`);
    }
    return a;
  }

  /** A getter that returns `first` once, then `then`: shows how often a key is read. */
  statefulGetterValue(first: unknown, firstText: string, then: unknown): Arb {
    let reads = 0;
    const holder = { get value() { return reads++ === 0 ? first : then; } };
    return { value: holder, text: `<${firstText} on the first read, then ${render(then)}>`, stateful: true } as Arb;
  }

  /**
   * An options object with some of `keys` (each a maker for that key's
   * values); sometimes one key is a throwing getter, or the whole object a
   * throwing Proxy.
   */
  options(keys: Record<string, () => Arb>, extra: Record<string, Arb> = {}): Arb {
    const names = Object.keys(keys);
    const chosen = new Set<string>();
    const wanted = this.rng.int(5);
    for (let i = 0; i < wanted; i++) chosen.add(this.rng.pick(names));
    const value: Record<string, unknown> = {};
    const parts: string[] = [];
    for (const [key, a] of Object.entries(extra)) {
      define(value, key, a);
      parts.push(`${key}: ${a.text}`);
    }
    for (const key of chosen) {
      if (key in extra) continue;
      if (this.rng.chance(0.06)) {
        Object.defineProperty(value, key, { enumerable: true, configurable: true, get() { throw new Error(`getter ${key} throws`); } });
        parts.push(`get ${key}() { throw }`);
        continue;
      }
      const a = keys[key]();
      define(value, key, a);
      parts.push(`${key}: ${a.text}`);
    }
    const text = `{ ${parts.join(', ')} }`;
    if (this.rng.chance(0.06)) return this.throwingProxy(value, text);
    return arb(value, text);
  }
}

/**
 * excluded: a host that is no string but reads as an IP address (an array
 * of one): node's internalConnect hands it to TCPWrap::Connect, which
 * asserts it is a string (node aborts).
 */
function notAnAddressObject(a: Arb): Arb {
  const v = a.value;
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return a;
  let text: string;
  try {
    text = String(v);
  } catch {
    return a;
  }
  return isIP(text) ? arb('127.0.0.1', `"127.0.0.1" (for ${a.text})`) : a;
}

/** Sets `key` on `target`: a stateful getter value becomes a real getter. */
function define(target: Record<string, unknown>, key: string, a: Arb): void {
  if ((a as any).stateful) {
    const holder = a.value as { value: unknown };
    Object.defineProperty(target, key, { enumerable: true, configurable: true, get: () => holder.value });
  } else {
    target[key] = a.value;
  }
}
