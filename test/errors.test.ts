// lib/errors.ts and lib/validate.ts against Node's own internal errors and
// validators: the same calls are made in a `node --expose-internals` child
// (the reference) and in-process with ours, and every observable property of
// the result is compared. Then a few public node:net paths are checked too.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import * as util from 'node:util';
import * as net from 'node:net';
import * as E from '../lib/errors';
import * as V from '../lib/validate';
import { uvErrno } from './impl';
import { features } from '../lib/features';

// Each case is an expression over `E` (errors module) and `V` (validators).
const cases: string[] = [
  // ERR_INVALID_ARG_TYPE formatting of every kind of received value
  "new E.codes.ERR_INVALID_ARG_TYPE('port', 'number', 1337)",
  "new E.codes.ERR_INVALID_ARG_TYPE('options', 'Object', {})",
  "new E.codes.ERR_INVALID_ARG_TYPE('options', 'Object', Object.create(null))",
  "new E.codes.ERR_INVALID_ARG_TYPE('options', 'Object', [1, 2])",
  "new E.codes.ERR_INVALID_ARG_TYPE('cb', 'Function', 'a string that is much longer than twenty-eight')",
  "new E.codes.ERR_INVALID_ARG_TYPE('cb', 'Function', \"it's\")",
  "new E.codes.ERR_INVALID_ARG_TYPE('x', 'string', -0)",
  "new E.codes.ERR_INVALID_ARG_TYPE('x', 'string', NaN)",
  "new E.codes.ERR_INVALID_ARG_TYPE('x', 'string', -Infinity)",
  "new E.codes.ERR_INVALID_ARG_TYPE('x', 'string', 10n)",
  "new E.codes.ERR_INVALID_ARG_TYPE('x', 'string', Symbol('s'))",
  "new E.codes.ERR_INVALID_ARG_TYPE('x', 'string', function named() {})",
  "new E.codes.ERR_INVALID_ARG_TYPE('x', 'string', () => {})",
  "new E.codes.ERR_INVALID_ARG_TYPE('x', 'string', null)",
  "new E.codes.ERR_INVALID_ARG_TYPE('x', 'string', undefined)",
  "new E.codes.ERR_INVALID_ARG_TYPE('x', 'string', true)",
  "new E.codes.ERR_INVALID_ARG_TYPE('options.port', ['number', 'string'], false)",
  "new E.codes.ERR_INVALID_ARG_TYPE('first argument', ['string', 'Buffer', 'Uint8Array', 'object'], 5)",
  "new E.codes.ERR_INVALID_ARG_TYPE('a', ['Buffer', 'TypedArray', 'DataView'], new Map())",
  "new E.codes.ERR_INVALID_ARG_TYPE('a', ['string', 'number', 'boolean'], new Map())",
  "new E.codes.ERR_INVALID_ARG_TYPE('a', 'a dictionary', 1)",
  "new E.codes.ERR_INVALID_ARG_TYPE('a', ['a dictionary', 'null or undefined'], 1)",
  "new E.codes.ERR_INVALID_ARG_TYPE('a', 'AbortSignal', 1)",
  "new E.codes.ERR_INVALID_ARG_VALUE('options', { a: 1 }, 'must have the property \"port\" or \"path\"')",
  "new E.codes.ERR_INVALID_ARG_VALUE('options.family', 5)",
  "new E.codes.ERR_INVALID_ARG_VALUE.RangeError('x', 'y'.repeat(300))",
  "new E.codes.ERR_OUT_OF_RANGE('msecs', 'an integer', 1.5)",
  "new E.codes.ERR_OUT_OF_RANGE('x', '>= 0', 2 ** 40)",
  "new E.codes.ERR_OUT_OF_RANGE('x', '>= 0', -(2 ** 40))",
  "new E.codes.ERR_OUT_OF_RANGE('x', '>= 0', 2n ** 40n)",
  "new E.codes.ERR_OUT_OF_RANGE('x', '>= 0', 12n)",
  "new E.codes.ERR_OUT_OF_RANGE('Custom text.', '>= 0', 'str', true)",
  "new E.codes.ERR_SOCKET_BAD_PORT('Port', -1)",
  "new E.codes.ERR_SOCKET_BAD_PORT('options.port', '', false)",
  "new E.codes.ERR_MISSING_ARGS('address')",
  "new E.codes.ERR_MISSING_ARGS('a', 'b')",
  "new E.codes.ERR_MISSING_ARGS(['a', 'b'], 'c', 'd')",
  "new E.codes.ERR_SERVER_NOT_RUNNING()",
  "new E.codes.ERR_SERVER_ALREADY_LISTEN()",
  "new E.codes.ERR_SOCKET_CLOSED()",
  "new E.codes.ERR_SOCKET_CLOSED_BEFORE_CONNECTION()",
  "new E.codes.ERR_SOCKET_CONNECTION_TIMEOUT()",
  "new E.codes.ERR_INVALID_IP_ADDRESS('1.2.3')",
  "new E.codes.ERR_INVALID_ADDRESS_FAMILY('IPv7', 'host', 80)",
  "new E.codes.ERR_INVALID_FD_TYPE('FILE')",
  "new E.codes.ERR_INVALID_HANDLE_TYPE()",
  "new E.codes.ERR_INVALID_THIS('Socket')",
  "new E.codes.ERR_STREAM_DESTROYED('write')",
  "new E.codes.ERR_STREAM_WRITE_AFTER_END()",
  "new E.codes.ERR_STREAM_NULL_VALUES()",
  "new E.codes.ERR_UNKNOWN_ENCODING('nope')",
  "new E.codes.ERR_MULTIPLE_CALLBACK()",
  "new E.codes.ERR_INVALID_STATE.TypeError('closed')",
  "new E.codes.ERR_INVALID_RETURN_VALUE('an object', 'lookup', 5)",
  // system errors
  "new E.ExceptionWithHostPort(-111, 'connect', '127.0.0.1', 9)",
  "new E.ExceptionWithHostPort(-111, 'connect', '::1', 9, '::1:5000')",
  "new E.ExceptionWithHostPort(-98, 'listen', '0.0.0.0', 0)",
  "new E.ExceptionWithHostPort(-2, 'connect', '/tmp/nope.sock')",
  "new E.ExceptionWithHostPort(-98, 'bind', undefined)",
  "new E.UVExceptionWithHostPort(-98, 'listen', '127.0.0.1', 8080)",
  "new E.UVExceptionWithHostPort(-13, 'listen', '/root/x')",
  "new E.UVExceptionWithHostPort(-99999, 'listen', '127.0.0.1', 1)",
  "new E.UVException({ errno: -2, code: 'ENOENT', syscall: 'open', path: '/nope' })",
  "new E.UVException({ errno: -18, syscall: 'rename', path: '/a', dest: '/b', message: 'custom' })",
  "new E.ErrnoException(-104, 'read')",
  "new E.ErrnoException(-32, 'write', 'orig')",
  "new E.DNSException(-3008, 'getaddrinfo', 'nowhere.invalid')",
  "new E.DNSException(-3007, 'getaddrinfo', 'nowhere.invalid')",
  "new E.DNSException(-3001, 'getaddrinfo')",
  "new E.DNSException('ESERVFAIL', 'queryA', 'x.invalid')",
  "new E.ConnResetException('socket hang up')",
  "new E.AbortError()",
  "new E.AbortError('stop', { cause: 'why' })",
  "new E.NodeAggregateError([new E.ExceptionWithHostPort(-111, 'connect', '127.0.0.1', 1), new E.ExceptionWithHostPort(-101, 'connect', '::1', 1)], '')",
  "E.genericNodeError('Socket is closed', { code: 'X', extra: 1 })",
  "E.aggregateTwoErrors(new Error('inner'), Object.assign(new Error('outer'), { code: 'OUT' }))",
  "E.aggregateTwoErrors(null, new Error('only'))",
  // validators
  "V.validatePort(-1)", "V.validatePort(65536)", "V.validatePort('')", "V.validatePort(' ')",
  "V.validatePort('80')", "V.validatePort(80.5)", "V.validatePort(NaN)", "V.validatePort(null)",
  "V.validatePort(0, 'options.port', false)", "V.validatePort(0)", "V.validatePort('0x10')", "V.validatePort(true)",
  "V.validatePort({})",
  "V.validateNumber('1', 'msecs')", "V.validateNumber(5, 'n', 6)", "V.validateNumber(NaN, 'n', 0, 10)",
  "V.validateNumber(11, 'n', undefined, 10)", "V.validateNumber(11, 'n', null, 10)", "V.validateNumber(NaN, 'n')",
  "V.validateInteger(1.5, 'i')", "V.validateInteger('1', 'i')", "V.validateInteger(2 ** 60, 'i')", "V.validateInteger(5, 'i', 10, 20)",
  "V.validateInt32(2 ** 31, 'timeout')", "V.validateInt32(-1, 'timeout', 0)", "V.validateInt32(1, 'timeout')",
  "V.validateUint32(-1, 'u')", "V.validateUint32(0, 'u', true)", "V.validateUint32(2 ** 32, 'u')",
  "V.validateString(1, 's')", "V.validateBoolean('true', 'b')", "V.validateFunction({}, 'cb')",
  "V.validateObject(null, 'options')", "V.validateObject([], 'options')", "V.validateObject(() => {}, 'options')",
  "V.validateObject('s', 'options')", "V.validateObject(null, 'o', V.kValidateObjectAllowNullable)",
  "V.validateObject([], 'o', V.kValidateObjectAllowArray)", "V.validateObject(() => {}, 'o', V.kValidateObjectAllowFunction)",
  "V.validateObject(() => {}, 'o', V.kValidateObjectAllowArray)", "V.validateObject(null, 'o', V.kValidateObjectAllowObjects)",
  "V.validateObject(1, 'o', V.kValidateObjectAllowObjectsAndNull)",
  "V.validateOneOf(5, 'family', [0, 4, 6])", "V.validateOneOf('x', 'mode', ['a', 'b', 1])", "V.validateOneOf(4, 'family', [0, 4, 6])",
  "V.validateAbortSignal({}, 'options.signal')", "V.validateAbortSignal(null, 'signal')", "V.validateAbortSignal(undefined, 'signal')",
  "V.validateAbortSignal({ aborted: false }, 'signal')",
  "V.validateArray({}, 'arr')", "V.validateArray([], 'arr', 1)", "V.validateStringArray(['a', 1], 'arr')",
  "V.validateBooleanArray([true, 0], 'arr')", "V.validateBuffer('x')", "V.validateDictionary(1, 'd')",
  "V.validateUndefined(1, 'u')", "V.validateUnion('c', 'u', ['a', 'b'])", "V.validateFiniteNumber(Infinity, 'f')",
  "V.validateFiniteNumber(NaN, 'f')", "V.validateFiniteNumber('1', 'f')",
  "[V.isInt32(2 ** 31), V.isInt32(-1), V.isUint32(-1), V.isUint32(2 ** 32 - 1), V.isInt32('1')]",
  "[E.determineSpecificType(new (class Foo {})()), E.determineSpecificType(Object.create(null)), E.formatList(['a', 'b', 'c', 'd'], 'or')]",
  "E.uvErrmapGet(-98)",
];

// Everything a test (or a user) could observe about a thrown/returned value.
// Stack frames differ between runs; keep the header and whether the top frame
// is inside the library (Node hides its validator frames).
const describeSource = `
(util, run, libMarker) => {
  let value, threw = false;
  try { value = run(); } catch (e) { value = e; threw = true; }
  if (!(value instanceof Error)) return { threw, returned: util.inspect(value) };
  const e = value;
  const stack = String(e.stack);
  const frames = stack.split('\\n').filter((l) => l.startsWith('    at '));
  return {
    threw,
    ctor: e.constructor && e.constructor.name,
    protoCtor: Object.getPrototypeOf(e).constructor.name,
    isTypeError: e instanceof TypeError,
    isRangeError: e instanceof RangeError,
    isAggregate: e instanceof AggregateError,
    name: e.name,
    message: e.message,
    toString: String(e),
    ownNames: Object.getOwnPropertyNames(e),
    keys: Object.keys(e),
    symbols: Object.getOwnPropertySymbols(e).length,
    props: JSON.stringify(['code', 'errno', 'syscall', 'address', 'port', 'hostname', 'path', 'dest', 'host', 'info'].map((k) => [k, e[k]])),
    errors: e.errors && e.errors.map((x) => x.message),
    cause: e.cause,
    stackHeader: stack.slice(0, stack.indexOf('\\n    at ') === -1 ? undefined : stack.indexOf('\\n    at ')),
    topFrameInLibrary: frames.length > 0 && frames[0].includes(libMarker),
    inspected: util.inspect(e).split('\\n').filter((l) => !/^\\s+at /.test(l)).join('\\n'),
  };
}`;

const describe = eval(describeSource);

function referenceResults(): any[] {
  // The reference: Node's internal modules, the ones node:net itself uses.
  const script = `
    const util = require('util');
    const E = require('internal/errors');
    const V = require('internal/validators');
    const describe = eval(${JSON.stringify(describeSource)});
    const cases = ${JSON.stringify(cases)};
    const out = cases.map((c) => describe(util, () => eval(c), 'node:internal/validators'));
    process.stdout.write(JSON.stringify(out));`;
  return JSON.parse(execFileSync(process.execPath, ['--expose-internals', '-e', script], { encoding: 'utf8' }));
}

t.test('errors and validators match node internals', async (t) => {
  const expected = referenceResults();
  t.equal(expected.length, cases.length);
  cases.forEach((c, i) => {
    // Same JSON round trip as the reference, then a strict comparison.
    const actual = JSON.parse(JSON.stringify(describe(util, () => eval(c), 'lib/validate')));
    t.strictSame(actual, expected[i], c);
  });
});

// Known Node values, so a broken reference cannot make the comparison vacuous.
t.test('known node texts', async (t) => {
  const bad = (() => { try { V.validatePort(-1); } catch (e) { return e as any; } })();
  t.type(bad, RangeError);
  t.equal(bad.code, 'ERR_SOCKET_BAD_PORT');
  t.equal(bad.message, 'Port should be >= 0 and < 65536. Received type number (-1).');
  t.equal(String(bad.stack).split('\n')[0], 'RangeError [ERR_SOCKET_BAD_PORT]: Port should be >= 0 and < 65536. Received type number (-1).');
  t.strictSame(Object.keys(bad), ['code']);
  const refused = new E.ExceptionWithHostPort(uvErrno('ECONNREFUSED'), 'connect', '127.0.0.1', 9) as any;
  t.equal(refused.message, 'connect ECONNREFUSED 127.0.0.1:9');
  t.strictSame(Object.keys(refused), ['errno', 'code', 'syscall', 'address', 'port']);
  const inUse = new E.UVExceptionWithHostPort(uvErrno('EADDRINUSE'), 'listen', '127.0.0.1', 80) as any;
  t.equal(inUse.message, 'listen EADDRINUSE: address already in use 127.0.0.1:80');
  t.equal(new E.codes.ERR_INVALID_ARG_TYPE('x', 'number', 1337).message,
    'The "x" argument must be of type number. Received type number (1337)');
  t.equal(new E.codes.ERR_INVALID_ARG_TYPE('x', 'number', {}).message,
    'The "x" argument must be of type number. Received an instance of Object');
  t.equal(E.addNumericalSeparator('-1234567'), '-1_234_567');
  t.ok(Object.isFrozen(V.kEmptyObject));
  t.equal(Object.getPrototypeOf(V.kEmptyObject), null);
  t.strictSame(Object.keys(V.kEmptyObject), []);
});

// The errors node:net throws through its public API, compared with ours for the same input.
t.test('public node:net errors match our validators', async (t) => {
  const grab = (fn: () => unknown) => { try { fn(); } catch (e) { return e as any; } return undefined; };
  const pairs: Array<[string, () => unknown, () => unknown]> = [
    ['connect port -1', () => net.connect({ port: -1 }), () => V.validatePort(-1, 'Port', true)],
    ['connect port 65536', () => net.connect({ port: 65536 }), () => V.validatePort(65536, 'Port', true)],
    ['connect port "x"', () => net.connect({ port: 'x' as any }), () => V.validatePort('x', 'Port', true)],
    ['setTimeout("x")', () => new net.Socket().setTimeout('x' as any), () => V.validateNumber('x', 'msecs')],
    ['listen port 1e6', () => net.createServer().listen(1e6), () => V.validatePort(1e6, 'options.port')],
    ['connect lookup', () => net.connect({ port: 1, lookup: 5 as any }), () => V.validateFunction(5, 'options.lookup')],
    // (node 22.15 checks options.host itself; before, dns.lookup's check answered.)
    ['connect host', () => net.connect({ port: 1, host: 5 as any }), () => V.validateString(5, features.connectValidatesHost ? 'options.host' : 'hostname')],
    ['setKeepAlive delay', () => new net.Socket().setKeepAlive(true, 'x' as any), () => undefined],
  ];
  for (const [label, nodeFn, oursFn] of pairs) {
    const n = grab(nodeFn);
    const o = grab(oursFn);
    t.equal(o?.constructor, n?.constructor, `${label}: class`);
    t.equal(o?.code, n?.code, `${label}: code`);
    t.equal(o?.message, n?.message, `${label}: message`);
    t.equal(String(o?.stack).split('\n')[0], String(n?.stack).split('\n')[0], `${label}: stack header`);
  }
});
