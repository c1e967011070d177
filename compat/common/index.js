'use strict';
// Helpers for the ported Node net tests: the subset of the names Node's own
// test/common offers that these tests use, with the same behaviour, written
// for this project. Call-count expectations (mustCall & co.) are verified when
// the process exits; a mismatch prints what was expected and exits 1.

const assert = require('node:assert');
const os = require('node:os');
const path = require('node:path');
const { inspect } = require('node:util');
const net = require('../net');
const tmpdir = require('./tmpdir');

const isWindows = process.platform === 'win32';
// Windows node.exe under Wine (CI's Windows lane on Linux): Wine's loader
// puts WINELOADER in the environment of every process it starts.
const isWine = isWindows && 'WINELOADER' in process.env;
const isLinux = process.platform === 'linux';
const isOSX = process.platform === 'darwin';
const isSunOS = process.platform === 'sunos';
const isFreeBSD = process.platform === 'freebsd';
const isOpenBSD = process.platform === 'openbsd';
const isAIX = os.type() === 'AIX';
const isIBMi = os.type() === 'OS400';

const noop = () => {};

// A test may need node options, declared near its top as `// Flags: --x --y`.
// When it was started without them (e.g. by hand), run it again in a child
// process that has them and exit with the child's status.
function declaredFlags(file) {
  let head;
  try {
    head = require('node:fs').readFileSync(file, 'utf8').slice(0, 2000);
  } catch {
    return [];
  }
  const m = /^\/\/ Flags:\s+(--.*)$/m.exec(head);
  return m ? m[1].trim().split(/\s+/) : [];
}

if (process.argv.length === 2 && !process.env.NODE_SKIP_FLAG_CHECK &&
    require('node:worker_threads').isMainThread) {
  const flags = declaredFlags(process.argv[1]);
  if (flags.some((flag) => !process.execArgv.includes(flag))) {
    const { spawnSync } = require('node:child_process');
    const child = spawnSync(process.execPath,
                            [...flags, ...process.execArgv, process.argv[1]],
                            { stdio: 'inherit' });
    if (child.signal) process.kill(process.pid, child.signal);
    process.exit(child.status === null ? 1 : child.status);
  }
}

// Slow platforms get more time; ms may be a number or a bigint.
function platformTimeout(ms) {
  const two = typeof ms === 'bigint' ? 2n : 2;
  if (process.features.debug || isAIX || isIBMi) return two * ms;
  return ms;
}

// Node's test harness lowers the happy-eyeballs attempt timeout globally so the
// autoSelectFamily tests do not depend on machine speed; do the same for the
// implementation under test.
const defaultAutoSelectFamilyAttemptTimeout = platformTimeout(2500);
if (typeof net.setDefaultAutoSelectFamilyAttemptTimeout === 'function') {
  net.setDefaultAutoSelectFamilyAttemptTimeout(
    platformTimeout(defaultAutoSelectFamilyAttemptTimeout));
}

// ---------------------------------------------------------------------------
// Call-count expectations

const callExpectations = [];
let exitCheckInstalled = false;

function verifyCallCounts(exitCode) {
  // A test that already failed keeps its own error; do not pile on.
  if (exitCode !== 0) return;
  const mismatches = callExpectations.filter((e) =>
    ('minimum' in e ? e.actual < e.minimum : e.actual !== e.exact));
  for (const e of mismatches) {
    const wanted = 'minimum' in e ? `at least ${e.minimum}` : `exactly ${e.exact}`;
    console.log(`Mismatched ${e.name} function calls. Expected ${wanted}, actual ${e.actual}.`);
    console.log(e.createdAt);
  }
  if (mismatches.length > 0) process.exit(1);
}

function wrapCounted(fn, count, kind) {
  if (process._exiting) {
    throw new Error('Cannot use common.mustCall*() in process exit handler');
  }
  if (typeof fn === 'number') {
    count = fn;
    fn = noop;
  } else if (fn === undefined) {
    fn = noop;
  }
  if (count === undefined) count = 1;
  if (typeof count !== 'number') {
    throw new TypeError(`Invalid ${kind} value: ${count}`);
  }

  // Where the expectation was created, for the failure message.
  const createdAt = (new Error().stack || '').split('\n').slice(3).join('\n');
  const expectation = { [kind]: count, actual: 0, name: fn.name || '<anonymous>', createdAt };
  callExpectations.push(expectation);
  if (!exitCheckInstalled) {
    exitCheckInstalled = true;
    process.on('exit', verifyCallCounts);
  }

  function counted(...args) {
    expectation.actual++;
    return fn.apply(this, args);
  }
  // Tests may inspect the wrapper's name/length as if it were fn.
  Object.defineProperty(counted, 'name', { value: fn.name, configurable: true });
  Object.defineProperty(counted, 'length', { value: fn.length, configurable: true });
  return counted;
}

function mustCall(fn, exact) {
  return wrapCounted(fn, exact, 'exact');
}

function mustCallAtLeast(fn, minimum) {
  return wrapCounted(fn, minimum, 'minimum');
}

// A node-style callback that must be called (exact times) without an error.
function mustSucceed(fn, exact) {
  return mustCall(function(err, ...rest) {
    assert.ifError(err);
    if (typeof fn === 'function') return fn.apply(this, rest);
  }, exact);
}

// file:line of the caller of `fn`, for mustNotCall messages.
function callerLocation(fn) {
  const holder = {};
  const saved = Error.prepareStackTrace;
  Error.prepareStackTrace = (_err, frames) =>
    (frames[0] ? `${frames[0].getFileName()}:${frames[0].getLineNumber()}` : '<unknown>');
  Error.captureStackTrace(holder, fn);
  const where = holder.stack;
  Error.prepareStackTrace = saved;
  return where;
}

function mustNotCall(msg) {
  const where = callerLocation(mustNotCall);
  return function mustNotCall(...args) {
    const shown = args.length ?
      `\ncalled with arguments: ${args.map((a) => inspect(a)).join(', ')}` : '';
    assert.fail(`${msg || 'function should not have been called'} at ${where}${shown}`);
  };
}

// Returns a function that must be called (exact times) with exactly one
// argument, an error matching `validator` (as for assert.throws) whose message
// is not an enumerable own property.
function expectsError(validator, exact) {
  return mustCall((...args) => {
    if (args.length !== 1) assert.fail(`Expected one argument, got ${inspect(args)}`);
    const error = args[0];
    assert.strictEqual(Object.prototype.propertyIsEnumerable.call(error, 'message'), false);
    assert.throws(() => { throw error; }, validator);
    return true;
  }, exact);
}

// ---------------------------------------------------------------------------
// Warnings

let expectedWarnings;

function normalizeWarningList(expected, code) {
  if (typeof expected === 'string') return [[expected, code]];
  if (!Array.isArray(expected)) {
    return Object.entries(expected).map(([c, message]) => [message, c]);
  }
  if (!Array.isArray(expected[0])) return [[expected[0], expected[1]]];
  return expected;
}

function warningChecker(name, expected, code) {
  const queue = normalizeWarningList(expected, code);
  if (name === 'DeprecationWarning') {
    for (const [, c] of queue) assert(c, 'deprecation warnings need a code');
  }
  return mustCall((warning) => {
    const next = queue.shift();
    if (!next) assert.fail(`Unexpected extra warning received: ${warning}`);
    const [message, wantedCode] = next;
    assert.strictEqual(warning.name, name);
    if (typeof message === 'string') assert.strictEqual(warning.message, message);
    else assert.match(warning.message, message);
    assert.strictEqual(warning.code, wantedCode);
  }, queue.length);
}

// expectWarning(name, message|messages, code) or expectWarning({name: ...}):
// each listed warning must be emitted, and no warning of another name.
function expectWarning(nameOrMap, expected, code) {
  if (expectedWarnings === undefined) {
    expectedWarnings = {};
    process.on('warning', (warning) => {
      const check = expectedWarnings[warning.name];
      if (!check) {
        throw new TypeError(`"${warning.name}" was triggered without being expected.\n${inspect(warning)}`);
      }
      check(warning);
    });
  }
  if (typeof nameOrMap === 'string') {
    expectedWarnings[nameOrMap] = warningChecker(nameOrMap, expected, code);
  } else {
    for (const name of Object.keys(nameOrMap)) {
      expectedWarnings[name] = warningChecker(name, nameOrMap[name]);
    }
  }
}

// ---------------------------------------------------------------------------
// Skipping

function printSkipMessage(msg) {
  console.log(`1..0 # Skipped: ${msg}`);
}

// Only for a genuine missing precondition (e.g. no IPv6 on this host).
function skip(msg) {
  printSkipMessage(msg);
  process.exit(0);
}

// ---------------------------------------------------------------------------
// Argument helpers

// The " Received ..." tail Node appends to ERR_INVALID_ARG_TYPE messages.
function invalidArgTypeHelper(input) {
  if (input == null) return ` Received ${input}`;
  if (typeof input === 'function') return ` Received function ${input.name}`;
  if (typeof input === 'object') {
    if (input.constructor && input.constructor.name) {
      return ` Received an instance of ${input.constructor.name}`;
    }
    return ` Received ${inspect(input, { depth: -1 })}`;
  }
  let shown = inspect(input, { colors: false });
  if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
  return ` Received type ${typeof input} (${shown})`;
}

// Every ArrayBufferView type that can view `buf`'s bytes exactly.
function getArrayBufferViews(buf) {
  const { buffer, byteOffset, byteLength } = buf;
  const types = [
    Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array,
    Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array,
    BigUint64Array, DataView,
  ];
  const views = [];
  for (const Type of types) {
    const size = Type.BYTES_PER_ELEMENT || 1;
    if (byteLength % size === 0) views.push(new Type(buffer, byteOffset, byteLength / size));
  }
  return views;
}

// A proxy that fails the test on any mutation of the object or its children.
const readOnlyProxies = new WeakMap();
function mustNotMutateObjectDeep(original) {
  if (original === null || typeof original !== 'object') return original;
  const cached = readOnlyProxies.get(original);
  if (cached) return cached;
  const refuse = (what) => assert.fail(`Expected no side effects, got ${what}`);
  const proxy = new Proxy(original, {
    __proto__: null,
    defineProperty: (_t, prop) => refuse(`${inspect(prop)} defined`),
    deleteProperty: (_t, prop) => refuse(`${inspect(prop)} deleted`),
    get: (t, prop, receiver) => mustNotMutateObjectDeep(Reflect.get(t, prop, receiver)),
    preventExtensions: (t) => refuse(`extensions prevented on ${inspect(t)}`),
    set: (_t, prop, value) => refuse(`${inspect(value)} assigned to ${inspect(prop)}`),
    setPrototypeOf: (_t, proto) => refuse(`set prototype to ${proto}`),
  });
  readOnlyProxies.set(original, proxy);
  return proxy;
}

// ---------------------------------------------------------------------------
// Environment

function detectIPv6Loopback() {
  // Wine difference 7: Wine names the loopback interface "lo", as Linux does.
  const loopbackName = isWindows && !isWine ? /Loopback Pseudo-Interface/ : /lo/;
  const interfaces = os.networkInterfaces();
  return Object.keys(interfaces).some((name) =>
    loopbackName.test(name) && interfaces[name].some((a) => a.family === 'IPv6'));
}

// A unix socket path unique to this process, inside tmpdir.
const PIPE = isWindows ?
  `\\\\.\\pipe\\iocp-net-compat.${process.pid}.sock` :
  path.join(tmpdir.path, `node-test.${process.pid}.sock`);

const common = {
  defaultAutoSelectFamilyAttemptTimeout,
  expectsError,
  expectWarning,
  getArrayBufferViews,
  invalidArgTypeHelper,
  isAIX,
  isFreeBSD,
  isIBMi,
  isLinux,
  isOpenBSD,
  isOSX,
  isSunOS,
  isWindows,
  isWine,
  mustCall,
  mustCallAtLeast,
  mustNotCall,
  mustNotMutateObjectDeep,
  mustSucceed,
  PIPE,
  platformTimeout,
  printSkipMessage,
  skip,
  tmpdir,
  get hasIPv6() { return detectIPv6Loopback(); },
  get localhostIPv4() { return process.env.LOCALHOST || '127.0.0.1'; },
  // Fixed port for sequential/pummel tests; the runner never runs two of those
  // at once.
  get PORT() { return Number(process.env.NODE_COMMON_PORT) || 12346; },
};

// Like Node's harness: reading a name this module does not provide is a bug
// in the ported test, so fail loudly instead of returning undefined.
const knownNames = new Set(Object.keys(common));
module.exports = new Proxy(common, {
  get(target, name) {
    if (!knownNames.has(name)) throw new Error(`Using invalid common property: '${String(name)}'`);
    return target[name];
  },
});
