// What a fuzz call is judged by: each step's return value or thrown error,
// the events (errors first of all) every object it touched emitted, the calls
// of its callbacks, uncaught exceptions and warnings, and the state objects
// were left in. All of it as plain JSON, with run-specific values masked.
import { EventEmitter } from 'node:events';
import { errorShape, mapLeaves, mask } from '../transcript';
import type { Fixtures } from './fixtures';

/** Events recorded on sockets and servers (per object, in order). */
const recordedEvents = ['error', 'close', 'connect', 'end', 'finish', 'listening', 'lookup', 'connectionAttemptFailed', 'drop'];

export type StepResult = { returned: unknown } | { threw: unknown };

export interface Outcome {
  steps: StepResult[];
  /** Per object: [event, ...arguments] in order. */
  events: Record<string, unknown[][]>;
  callbacks: Record<string, unknown[]>;
  uncaught: unknown[];
  warnings: string[];
  state: Record<string, unknown>;
}

export class Observation {
  readonly outcome: Outcome = { steps: [], events: {}, callbacks: {}, uncaught: [], warnings: [], state: {} };
  /** Sockets and servers of the call, by name ('subject', 'step0'...). */
  readonly tracked = new Map<string, any>();
  private done = false;
  /** How many events, callback calls, uncaught exceptions and warnings were recorded. */
  changes = 0;

  constructor(private readonly net: any) {}

  /** Starts recording `emitter`'s events under `name`. */
  track(name: string, emitter: any): void {
    if ([...this.tracked.values()].includes(emitter)) return;
    this.tracked.set(name, emitter);
    const log: unknown[][] = (this.outcome.events[name] = []);
    for (const event of recordedEvents) {
      emitter.on(event, (...args: unknown[]) => {
        if (this.done) return;
        this.changes++;
        log.push([event, ...args.map((a) => this.summarize(a))]);
      });
    }
  }

  callback(label: string, args: unknown[]): void {
    if (this.done) return;
    this.changes++;
    (this.outcome.callbacks[label] ??= []).push(args.map((a) => this.summarize(a)));
  }

  uncaught(err: unknown): void {
    if (this.done) return;
    this.changes++;
    this.outcome.uncaught.push(this.summarize(err));
  }

  warning(w: Error & { code?: string }): void {
    if (this.done) return;
    this.changes++;
    this.outcome.warnings.push(`${w.name}${w.code ? ` [${w.code}]` : ''}: ${w.message}`);
  }

  /** Runs one step: returns its return value (a socket or server is tracked), or undefined when it threw. */
  step(index: number, run: () => unknown): { value: unknown } | undefined {
    try {
      const value = run();
      if (value instanceof this.net.Socket || value instanceof this.net.Server) this.track(`step${index}`, value);
      this.outcome.steps.push({ returned: this.summarize(value) });
      return { value };
    } catch (err) {
      this.outcome.steps.push({ threw: this.summarize(err) });
      return undefined;
    }
  }

  /** Writes down the state each tracked object was left in (a getter that throws gives its error). */
  snapshot(): void {
    const read = (o: any, keys: string[]) => {
      const out: Record<string, unknown> = {};
      for (const key of keys) {
        try {
          out[key] = this.summarize(key === 'address' ? o.address() : o[key]);
        } catch (err) {
          out[key] = { threw: this.summarize(err) };
        }
      }
      return out;
    };
    for (const [name, o] of this.tracked) {
      this.outcome.state[name] = o instanceof this.net.Server
        ? read(o, ['listening', 'address'])
        : read(o, ['destroyed', 'readyState', 'pending', 'connecting', 'bytesWritten', 'bytesRead', 'writableLength']);
    }
  }

  /** Stops recording; returns the outcome with ports and paths masked. */
  finish(fx: Fixtures, ephemeral: [number, number]): Outcome {
    this.done = true;
    if (this.outcome.uncaught.length > 0) this.forgetOrder();
    const named = mask(this.outcome, {
      LIVE: fx.livePort, LIVEPIPE: fx.livePipe, ...(fx.pipeDir === fx.dir ? {} : { PIPEDIR: fx.pipeDir }), DIR: fx.dir,
      // The abstract name, as is and as util.inspect writes it.
      '\\0ABSTRACT': fx.abstractPrefix, '\\x00ABSTRACT': `\\x00${fx.abstractPrefix.slice(1)}`,
    });
    return maskEphemeralPorts(named, ephemeral);
  }

  /**
   * After an uncaught exception the rest of the tick queue waits for the
   * next macrotask, and which one that is (a phase of node's loop, a batch
   * of our engine's completions) differs by design: each object's events
   * and the callbacks are then compared as sets, not in order.
   */
  private forgetOrder(): void {
    const sorted = <T>(items: T[]) => [...items].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    const { events, callbacks } = this.outcome;
    for (const name of Object.keys(events)) events[name] = sorted(events[name]);
    this.outcome.callbacks = Object.fromEntries(Object.keys(callbacks).sort().map((label) => [label, sorted(callbacks[label])]));
    this.outcome.warnings.push('<order not compared: uncaught exception>');
  }

  /** A JSON-able description of any value. */
  summarize(value: unknown, depth = 0): unknown {
    switch (typeof value) {
      case 'undefined': return '<undefined>';
      case 'number':
        if (Number.isFinite(value) && !Object.is(value, -0)) return value;
        return `<number ${Object.is(value, -0) ? '-0' : value}>`;
      case 'bigint': return `<bigint ${value}n>`;
      case 'symbol': return `<${String(value)}>`;
      case 'function': return `<function ${value.name}>`;
      case 'string':
      case 'boolean':
        return value;
    }
    if (value === null) return null;
    const o = value as any;
    for (const [name, emitter] of this.tracked) if (emitter === o) return `<${name}>`;
    if (o instanceof Error || o instanceof AggregateError) return { error: errorShape(o) };
    if (o instanceof this.net.Socket) return '<a Socket>';
    if (o instanceof this.net.Server) return '<a Server>';
    if (o instanceof EventEmitter) return `<${o.constructor?.name}>`;
    if (ArrayBuffer.isView(o)) return `<${o.constructor.name} of ${o.byteLength} bytes>`;
    if (o instanceof Promise) {
      o.then((v) => this.callback('promise resolved', [v]), (e) => this.callback('promise rejected', [e]));
      return '<Promise>';
    }
    if (depth >= 3) return `<${o.constructor?.name ?? 'object'}>`;
    if (Array.isArray(o)) return o.map((x) => this.summarize(x, depth + 1));
    const out: Record<string, unknown> = {};
    const ctor = safe(() => o.constructor?.name);
    if (ctor !== 'Object') out['<class>'] = ctor ?? null;
    for (const key of safe(() => Object.keys(o)) ?? []) out[key] = this.summarize(safe(() => o[key]), depth + 1);
    return out;
  }
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

/** The system's ephemeral port range (ports the kernel picks for bind(0) and connect). */
export function ephemeralRange(): [number, number] {
  try {
    const [lo, hi] = require('node:fs').readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (lo > 0 && hi >= lo) return [lo, hi];
  } catch {
    // not Linux, or no procfs
  }
  return [32768, 60999];
}

/**
 * Integers in the ephemeral range (numbers, and digit runs in strings) become
 * EPHEMERAL. And the local address in an EALREADY message (connect() while a
 * connect is in flight) is left out: node's kernel has bound the socket by
 * then, while our engine submits the connect at the end of the loop turn
 * (a documented difference, README).
 */
function maskEphemeralPorts<T>(value: T, [lo, hi]: [number, number]): T {
  const inRange = (n: number) => Number.isInteger(n) && n >= lo && n <= hi;
  return mapLeaves(value, (n) => (inRange(n) ? 'EPHEMERAL' : n), (text) => text
    .replace(/\d+/g, (digits) => (inRange(Number(digits)) ? 'EPHEMERAL' : digits))
    .replace(/(EALREADY .*) - Local \([^)]*\)/, '$1 - Local (...)'));
}
