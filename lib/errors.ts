// Errors that are indistinguishable from the ones node:net throws or emits:
// same class, `name`, `code`, message text, own-property order and
// enumerability, `constructor`, and a stack whose first line reads
// "TypeError [ERR_X]: message" for Node-style coded errors.
//
// The exported names and signatures follow Node's internal errors module so
// that the net layer can be written against the same vocabulary.

import { features } from './features';
import * as util from 'node:util';

type ErrorBase = ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor;
type MessageFn = (this: Error, ...args: any[]) => string;

// ---------------------------------------------------------------------------
// Stack handling

/** Node renders coded errors as "Name [CODE]: message" in their stack; plain
 *  V8 renders "Name: message". Rewrite the first line once the stack exists. */
function setCodedStackHeader(err: Error & { code?: unknown }): void {
  const stack = err.stack;
  if (typeof stack !== 'string') return;
  const plainHeader = err.message ? `${err.name}: ${err.message}` : err.name;
  if (stack.startsWith(plainHeader)) {
    err.stack = `${err.name} [${String(err.code)}]: ${err.message}${stack.slice(plainHeader.length)}`;
  }
}

// Errors whose stack header carries the code (kept outside the objects so
// that their own keys stay exactly Node's).
const codedErrors = new WeakSet<object>();

/** Build an error with no stack frames at all (Node's validators that are not
 *  wrapped in hideStackFrames produce such errors). */
export function withoutStackFrames<T>(build: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return build();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Re-capture the stack of an error so it starts at the caller of `fn`
 *  (Node hides its own validator frames the same way). */
export function captureLargerStackTrace<T extends Error>(err: T, fn: Function): T {
  if (Error.stackTraceLimit) {
    Error.captureStackTrace(err, fn);
    if (codedErrors.has(err)) setCodedStackHeader(err);
  }
  return err;
}

/** Wrap a function so that errors it throws have stacks starting at its caller. */
export function hideStackFrames<F extends (...args: any[]) => any>(fn: F): F {
  const wrapped = function (this: unknown, ...args: unknown[]) {
    try {
      return fn.apply(this, args);
    } catch (error) {
      if (error instanceof Error) captureLargerStackTrace(error, wrapped);
      throw error;
    }
  } as unknown as F;
  return wrapped;
}

// ---------------------------------------------------------------------------
// Value formatting used inside messages

/** 1234567 -> "1_234_567" (integers only). */
export function addNumericalSeparator(val: string): string {
  const start = val[0] === '-' ? 1 : 0;
  let i = val.length;
  let grouped = '';
  while (i >= start + 4) {
    grouped = `_${val.slice(i - 3, i)}${grouped}`;
    i -= 3;
  }
  return val.slice(0, i) + grouped;
}

/** "a", "a or b", "a, b, or c", ... */
export function formatList(array: readonly string[], type = 'and'): string {
  const n = array.length;
  if (n === 0) return '';
  if (n === 1) return `${array[0]}`;
  if (n === 2) return `${array[0]} ${type} ${array[1]}`;
  return `${array.slice(0, -1).join(', ')}, ${type} ${array[n - 1]}`;
}

function shorten(text: string): string {
  return text.length > 28 ? `${text.slice(0, 25)}...` : text;
}

/** Describes a received value the way Node's argument errors do:
 *  "type number (1337)", "an instance of Object", "null", "function f". */
export function determineSpecificType(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  switch (typeof value) {
    case 'bigint':
      return `type bigint (${value}n)`;
    case 'number':
      if (value === 0) return Object.is(value, -0) ? 'type number (-0)' : 'type number (0)';
      return `type number (${String(value)})`; // String() covers NaN and ±Infinity
    case 'boolean':
      return `type boolean (${value})`;
    case 'symbol':
      return `type symbol (${String(value)})`;
    case 'function':
      return `function ${(value as Function).name}`;
    case 'object': {
      const o = value as { constructor?: any };
      if (features.constructorNameReadOnce) {
        // node 24.22: `constructor` and its `name` read once each; only a non-empty string name counts.
        const name = o.constructor?.name;
        if (typeof name === 'string' && name !== '') return `an instance of ${name}`;
        return util.inspect(value, { depth: -1 });
      }
      // Read as node reads it (a getter or Proxy sees three reads of `constructor`).
      if (o.constructor && 'name' in o.constructor) return `an instance of ${o.constructor.name}`;
      return util.inspect(value, { depth: -1 });
    }
    case 'string': {
      const text = shorten(value);
      return text.includes("'") ? `type string (${JSON.stringify(text)})` : `type string ('${text}')`;
    }
    default:
      return `type ${typeof value} (${shorten(util.inspect(value, { colors: false }))})`;
  }
}

// ---------------------------------------------------------------------------
// Coded errors: codes.ERR_X

// Lower-cased in messages; 'Function'/'Object' are accepted as type names too.
const primitiveTypeNames = new Set([
  'string', 'function', 'number', 'object', 'Function', 'Object', 'boolean', 'bigint', 'symbol',
]);
const classNamePattern = /^[A-Z][a-zA-Z0-9]*$/;

function invalidArgTypeMessage(name: string, expected: string | string[], actual: unknown): string {
  if (typeof name !== 'string') throw new TypeError("'name' must be a string");
  const expectedList = Array.isArray(expected) ? expected : [expected];
  let msg = 'The ';
  if (name.endsWith(' argument')) {
    msg += `${name} `;
  } else {
    msg += `"${name}" ${name.includes('.') ? 'property' : 'argument'} `;
  }
  msg += 'must be ';

  const types: string[] = [];
  const instances: string[] = [];
  const other: string[] = [];
  for (const value of expectedList) {
    if (primitiveTypeNames.has(value)) types.push(value.toLowerCase());
    else if (classNamePattern.test(value)) instances.push(value);
    else other.push(value);
  }
  // With class names present, a plain 'object' is listed as 'Object' among them.
  if (instances.length > 0) {
    const pos = types.indexOf('object');
    if (pos !== -1) {
      types.splice(pos, 1);
      instances.push('Object');
    }
  }
  if (types.length > 0) {
    msg += `${types.length > 1 ? 'one of type' : 'of type'} ${formatList(types, 'or')}`;
    if (instances.length > 0 || other.length > 0) msg += ' or ';
  }
  if (instances.length > 0) {
    msg += `an instance of ${formatList(instances, 'or')}`;
    if (other.length > 0) msg += ' or ';
  }
  if (other.length > 0) {
    if (other.length > 1) {
      msg += `one of ${formatList(other, 'or')}`;
    } else {
      if (other[0].toLowerCase() !== other[0]) msg += 'an ';
      msg += other[0];
    }
  }
  return `${msg}. Received ${determineSpecificType(actual)}`;
}

function invalidArgValueMessage(name: string, value: unknown, reason = 'is invalid'): string {
  let inspected = util.inspect(value);
  if (inspected.length > 128) inspected = `${inspected.slice(0, 128)}...`;
  const kind = name.includes('.') ? 'property' : 'argument';
  return `The ${kind} '${name}' ${reason}. Received ${inspected}`;
}

function outOfRangeMessage(str: string, range: string, input: unknown, replaceDefaultBoolean = false): string {
  let msg = replaceDefaultBoolean ? str : `The value of "${str}" is out of range.`;
  let received: string;
  if (Number.isInteger(input) && Math.abs(input as number) > 2 ** 32) {
    received = addNumericalSeparator(String(input));
  } else if (typeof input === 'bigint') {
    received = String(input);
    if (input > 2n ** 32n || input < -(2n ** 32n)) received = addNumericalSeparator(received);
    received += 'n';
  } else {
    received = util.inspect(input);
  }
  msg += ` It must be ${range}. Received ${received}`;
  return msg;
}

function badPortMessage(name: string, port: unknown, allowZero = true): string {
  const operator = allowZero ? '>=' : '>';
  return `${name} should be ${operator} 0 and < 65536. Received ${determineSpecificType(port)}.`;
}

function missingArgsMessage(...args: Array<string | string[]>): string {
  const quoted = args.map((a) => (Array.isArray(a) ? a.map((x) => `"${x}"`).join(' or ') : `"${a}"`));
  return `The ${formatList(quoted)} argument${args.length > 1 ? 's' : ''} must be specified`;
}

function invalidAddressFamilyMessage(this: Error, addressType: unknown, host: unknown, port: unknown): string {
  (this as any).host = host;
  (this as any).port = port;
  return `Invalid address family: ${addressType} ${host}:${port}`;
}

function countFormatSpecifiers(msg: string): number {
  return (msg.match(/%[dfijoOs]/g) ?? []).length;
}

/** Constructor of a coded error: `new codes.ERR_X(...args)`. */
export interface NodeErrorConstructor {
  new (...args: any[]): Error & { code: string };
  /** Alternative base classes, e.g. codes.ERR_INVALID_ARG_VALUE.RangeError. */
  [baseName: string]: any;
}

// Builds the class for one code. Own properties come out in Node's order:
// static messages -> stack, message, code; computed messages -> stack, code,
// message (the message function may add properties in between). `code` is the
// only enumerable one; `constructor` reports the base class.
function makeCodedError(Base: ErrorBase, key: string, template: string | MessageFn): NodeErrorConstructor {
  const Coded = class NodeError extends (Base as ErrorConstructor) {
    declare code: string;
    constructor(...args: any[]) {
      if (typeof template === 'string') {
        const expected = countFormatSpecifiers(template);
        if (args.length !== expected) {
          throw new Error(`Code: ${key}; The provided arguments length (${args.length}) does not match the required ones (${expected}).`);
        }
        super(expected === 0 ? template : util.format(template, ...args));
        this.code = key;
      } else {
        super();
        this.code = key;
        Object.defineProperty(this, 'message', {
          value: template.apply(this, args),
          enumerable: false,
          writable: true,
          configurable: true,
        });
      }
      codedErrors.add(this);
      setCodedStackHeader(this);
    }
    override get ['constructor'](): ErrorBase {
      return Base;
    }
    override toString(): string {
      return `${this.name} [${key}]: ${this.message}`;
    }
  };
  return Coded as unknown as NodeErrorConstructor;
}

export const codes: Record<string, NodeErrorConstructor> = {};

function E(key: string, template: string | MessageFn, Base: ErrorBase, ...otherBases: ErrorBase[]): void {
  const Coded = makeCodedError(Base, key, template);
  for (const Other of otherBases) Coded[Other.name] = makeCodedError(Other, key, template);
  codes[key] = Coded;
}

E('ERR_INVALID_ADDRESS_FAMILY', invalidAddressFamilyMessage, RangeError);
E('ERR_INVALID_ARG_TYPE', invalidArgTypeMessage, TypeError);
E('ERR_INVALID_ARG_VALUE', invalidArgValueMessage, TypeError, RangeError);
E('ERR_INVALID_FD_TYPE', 'Unsupported fd type: %s', TypeError);
E('ERR_INVALID_HANDLE_TYPE', 'This handle type cannot be sent', TypeError);
E('ERR_INVALID_IP_ADDRESS', 'Invalid IP address: %s', TypeError);
E('ERR_IP_BLOCKED', 'IP(%s) is blocked by net.BlockList', Error);
E('ERR_INVALID_RETURN_VALUE', function (this: Error, input: string, name: string, value: unknown) {
  return `Expected ${input} to be returned from the "${name}" function but got ${determineSpecificType(value)}.`;
}, TypeError, RangeError);
E('ERR_INVALID_STATE', 'Invalid state: %s', Error, TypeError, RangeError);
E('ERR_INVALID_THIS', 'Value of "this" must be of type %s', TypeError);
E('ERR_METHOD_NOT_IMPLEMENTED', 'The %s method is not implemented', Error);
E('ERR_MISSING_ARGS', missingArgsMessage, TypeError);
E('ERR_MULTIPLE_CALLBACK', 'Callback called multiple times', Error);
E('ERR_OUT_OF_RANGE', outOfRangeMessage, RangeError);
E('ERR_SERVER_ALREADY_LISTEN', 'Listen method has been called more than once without closing.', Error);
E('ERR_SERVER_NOT_RUNNING', 'Server is not running.', Error);
E('ERR_SOCKET_BAD_PORT', badPortMessage, RangeError);
E('ERR_SOCKET_CLOSED', 'Socket is closed', Error);
E('ERR_SOCKET_CLOSED_BEFORE_CONNECTION', 'Socket closed before the connection was established', Error);
E('ERR_SOCKET_CONNECTION_TIMEOUT', 'Socket connection timeout', Error);
E('ERR_STREAM_ALREADY_FINISHED', 'Cannot call %s after a stream was finished', Error);
E('ERR_STREAM_DESTROYED', 'Cannot call %s after a stream was destroyed', Error);
E('ERR_STREAM_NULL_VALUES', 'May not write null values to stream', TypeError);
E('ERR_STREAM_PUSH_AFTER_EOF', 'stream.push() after EOF', Error);
E('ERR_STREAM_WRITE_AFTER_END', 'write after end', Error);
E('ERR_UNKNOWN_ENCODING', 'Unknown encoding: %s', TypeError);
E('ERR_UNKNOWN_SIGNAL', 'Unknown signal: %s', TypeError);

// ---------------------------------------------------------------------------
// System (errno) errors

const systemErrorMap: Map<number, [string, string]> = util.getSystemErrorMap() as Map<number, [string, string]>;
const unmappedSystemError: [string, string] = ['UNKNOWN', 'unknown error'];

/** [code, description] for a libuv errno, e.g. -98 -> ['EADDRINUSE', 'address already in use']. */
export function uvErrmapGet(errno: number): [string, string] | undefined {
  return systemErrorMap.get(errno);
}

function errnoByName(name: string): number | undefined {
  for (const [errno, [code]] of systemErrorMap) if (code === name) return errno;
  return undefined;
}
const UV_EAI_NODATA = errnoByName('EAI_NODATA');
const UV_EAI_NONAME = errnoByName('EAI_NONAME');

function hostPortDetails(address: string | undefined, port: number | undefined): string {
  if (port && port > 0) return ` ${address}:${port}`;
  if (address) return ` ${address}`;
  return '';
}

export interface UVExceptionContext {
  errno: number;
  syscall: string;
  message?: string;
  path?: string | Buffer;
  dest?: string | Buffer;
  [key: string]: unknown;
}

/** "EADDRINUSE: address already in use, bind '/p'" — errors built from a libuv context. */
export class UVException extends Error {
  constructor(ctx: UVExceptionContext) {
    const [code, uvmsg] = uvErrmapGet(ctx.errno) ?? unmappedSystemError;
    let message = `${code}: ${ctx.message || uvmsg}, ${ctx.syscall}`;
    const path = ctx.path ? ctx.path.toString() : undefined;
    const dest = ctx.dest ? ctx.dest.toString() : undefined;
    if (path) message += ` '${path}'`;
    if (dest) message += ` -> '${dest}'`;
    super(message);
    const self = this as any;
    for (const prop of Object.keys(ctx)) {
      if (prop !== 'message' && prop !== 'path' && prop !== 'dest') self[prop] = ctx[prop];
    }
    self.code = code;
    if (path) self.path = path;
    if (dest) self.dest = dest;
  }
  override get ['constructor'](): ErrorConstructor {
    return Error;
  }
}

/** "connect ECONNREFUSED: connection refused 127.0.0.1:9" style (uv description included). */
export class UVExceptionWithHostPort extends Error {
  constructor(err: number, syscall: string, address?: string, port?: number) {
    const [code, uvmsg] = uvErrmapGet(err) ?? unmappedSystemError;
    super(`${syscall} ${code}: ${uvmsg}${hostPortDetails(address, port)}`);
    const self = this as any;
    self.code = code;
    self.errno = err;
    self.syscall = syscall;
    self.address = address;
    if (port) self.port = port;
  }
  override get ['constructor'](): ErrorConstructor {
    return Error;
  }
}

/** "read ECONNRESET", "write EPIPE" — errno, code, syscall. */
export class ErrnoException extends Error {
  constructor(err: number, syscall: string, original?: string) {
    const code = util.getSystemErrorName(err);
    super(original ? `${syscall} ${code} ${original}` : `${syscall} ${code}`);
    const self = this as any;
    self.errno = err;
    self.code = code;
    self.syscall = syscall;
  }
  override get ['constructor'](): ErrorConstructor {
    return Error;
  }
}

/** "connect ECONNREFUSED 127.0.0.1:9", "listen EADDRINUSE: ..." is the UV variant;
 *  this one has no description: errno, code, syscall, address, port. */
export class ExceptionWithHostPort extends Error {
  constructor(err: number, syscall: string, address?: string, port?: number, additional?: string) {
    const code = util.getSystemErrorName(err);
    let details = hostPortDetails(address, port);
    if (additional) details += ` - Local (${additional})`;
    super(`${syscall} ${code}${details}`);
    const self = this as any;
    self.errno = err;
    self.code = code;
    self.syscall = syscall;
    self.address = address;
    if (port) self.port = port;
  }
  override get ['constructor'](): ErrorConstructor {
    return Error;
  }
}

/** "getaddrinfo ENOTFOUND host" — `code` may be a libuv errno or a c-ares code string. */
export class DNSException extends Error {
  constructor(code: number | string, syscall: string, hostname?: string) {
    let errno: number | undefined;
    if (typeof code === 'number') {
      errno = code;
      // Node reports both "no data" and "no name" as the made-up ENOTFOUND.
      code = code === UV_EAI_NODATA || code === UV_EAI_NONAME ? 'ENOTFOUND' : util.getSystemErrorName(code);
    }
    super(`${syscall} ${code}${hostname ? ` ${hostname}` : ''}`);
    const self = this as any;
    self.errno = errno;
    self.code = code;
    self.syscall = syscall;
    if (hostname) self.hostname = hostname;
  }
  override get ['constructor'](): ErrorConstructor {
    return Error;
  }
}

/** The "socket hang up" style error with code ECONNRESET. */
export class ConnResetException extends Error {
  constructor(msg?: string) {
    super(msg);
    (this as any).code = 'ECONNRESET';
  }
  override get ['constructor'](): ErrorConstructor {
    return Error;
  }
}

// Lower-case aliases for call sites written in the older style.
export function exceptionWithHostPort(err: number, syscall: string, address?: string, port?: number, additional?: string): Error {
  return new ExceptionWithHostPort(err, syscall, address, port, additional);
}
export function uvException(ctx: UVExceptionContext): Error {
  return new UVException(ctx);
}
export function uvExceptionWithHostPort(err: number, syscall: string, address?: string, port?: number): Error {
  return new UVExceptionWithHostPort(err, syscall, address, port);
}
export function dnsException(code: number | string, syscall: string, hostname?: string): Error {
  return new DNSException(code, syscall, hostname);
}

// ---------------------------------------------------------------------------
// Other shapes

/** Error with code 'ABORT_ERR' and name 'AbortError' (not a DOMException). */
export class AbortError extends Error {
  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    if (options !== undefined && typeof options !== 'object') {
      throw new codes.ERR_INVALID_ARG_TYPE('options', 'Object', options);
    }
    super(message, options);
    (this as any).code = 'ABORT_ERR';
    this.name = 'AbortError';
  }
}

/** AggregateError whose `code` is the first error's (used by autoSelectFamily). */
export class NodeAggregateError extends AggregateError {
  constructor(errors: unknown[], message?: string) {
    super(errors, message);
    (this as any).code = (errors[0] as { code?: unknown } | undefined)?.code;
    codedErrors.add(this);
    setCodedStackHeader(this);
  }
  override get ['constructor'](): AggregateErrorConstructor {
    return AggregateError;
  }
}

/** A plain Error with extra properties copied on. */
export function genericNodeError(message: string, errorProperties?: object): Error {
  const err = new Error(message);
  Object.assign(err, errorProperties);
  return captureLargerStackTrace(err, genericNodeError);
}

/** Combine an error raised while handling another: outer first, code of the outer. */
export function aggregateTwoErrors(innerError: any, outerError: any): any {
  if (innerError && outerError && innerError !== outerError) {
    if (Array.isArray(outerError.errors)) {
      outerError.errors.push(innerError);
      return outerError;
    }
    const err = new AggregateError([outerError, innerError], outerError.message);
    Error.captureStackTrace(err, aggregateTwoErrors);
    (err as any).code = outerError.code;
    return err;
  }
  return innerError || outerError;
}
