'use strict';
// Port of Node's parallel/test-net-connect-options-port.js: every connect
// call form validates `port` (and `hints`) synchronously, accepts numeric,
// string and "0x" hex ports, and reports refusal asynchronously.
const common = require('../common');
const assert = require('assert');
const dns = require('dns');
const net = require('../net');

// The six ways of starting a connection. `args` is the argument list without
// the callback; `makeCb` gives a fresh callback for each form, which is either
// passed as the last argument or attached as a 'connect' listener.
function callForms(args, makeCb) {
  const viaSocket = () => new net.Socket();
  return [
    function createConnectionWithCb() {
      return net.createConnection(...args, makeCb()).resume();
    },
    function createConnectionWithoutCb() {
      return net.createConnection(...args).on('connect', makeCb()).resume();
    },
    function connectWithCb() {
      return net.connect(...args, makeCb()).resume();
    },
    function connectWithoutCb() {
      return net.connect(...args).on('connect', makeCb()).resume();
    },
    function socketConnectWithCb() {
      const s = viaSocket();
      return s.connect(...args, makeCb()).resume();
    },
    function socketConnectWithoutCb() {
      const s = viaSocket();
      return s.connect(...args).on('connect', makeCb()).resume();
    },
  ];
}

// Same argument shapes as the original: the "port"/"port, host" shapes are
// expressed as option objects, exactly as upstream does.
function argShapes(port, { withPortOnlyForms }) {
  const family = 4;
  const shapes = [];
  if (withPortOnlyForms) {
    shapes.push({ label: `(${port})`, args: [{ port, family }] });
    shapes.push({ label: `(${port}, 'localhost')`,
                  args: [{ port, host: 'localhost', family }] });
  }
  shapes.push({ label: `({port: ${port}})`, args: [{ port, family }] });
  shapes.push({ label: `({port: ${port}, host: 'localhost'})`,
                args: [{ port, host: 'localhost', family }] });
  return shapes;
}

function expectSyncFailure(port, expected, optionsOnly = false) {
  for (const shape of argShapes(port, { withPortOnlyForms: !optionsOnly })) {
    for (const form of callForms(shape.args, () => common.mustNotCall())) {
      assert.throws(form, expected, `${form.name}${shape.label}`);
    }
  }
}

// Non-numeric types: ERR_INVALID_ARG_TYPE.
{
  const typeError = { code: 'ERR_INVALID_ARG_TYPE', name: 'TypeError' };
  expectSyncFailure(true, typeError);
  expectSyncFailure(false, typeError);
  expectSyncFailure([], typeError, true);
  expectSyncFailure({}, typeError, true);
  expectSyncFailure(null, typeError);
}

// Out-of-range or unparsable values: ERR_SOCKET_BAD_PORT.
{
  const rangeError = { code: 'ERR_SOCKET_BAD_PORT', name: 'RangeError' };
  expectSyncFailure('', rangeError);
  expectSyncFailure(' ', rangeError);
  expectSyncFailure('0x', rangeError, true);
  expectSyncFailure('-0x1', rangeError, true);
  expectSyncFailure(NaN, rangeError);
  expectSyncFailure(Infinity, rangeError);
  expectSyncFailure(-1, rangeError);
  expectSyncFailure(65536, rangeError);
}

// Invalid dns lookup hints are rejected before anything is started.
{
  const badHints = (dns.ADDRCONFIG | dns.V4MAPPED | dns.ALL) + 42;
  for (const form of callForms([{ port: 42, hints: badHints }],
                               () => common.mustNotCall())) {
    assert.throws(form, {
      code: 'ERR_INVALID_ARG_VALUE',
      name: 'TypeError',
      message: /The argument 'hints' is invalid\. Received \d+/,
    });
  }
}

// 3 port spellings x 4 shapes x 6 call forms = 72 successful connections.
{
  const expected = 72;
  let accepted = 0;
  const server = net.createServer(common.mustCall((conn) => {
    conn.end('ok');
    accepted += 1;
    if (accepted === expected) server.close();
  }, expected));

  server.listen(0, common.localhostIPv4, common.mustCall(() => {
    const { port } = server.address();
    for (const spelled of [port, String(port), `0x${port.toString(16)}`]) {
      for (const shape of argShapes(spelled, { withPortOnlyForms: true })) {
        for (const form of callForms(shape.args, () => common.mustCall())) {
          form();
        }
      }
    }
  }));

  // Once nothing listens any more, connecting to port 0 must fail
  // asynchronously with a "connect E..." error and never call back.
  server.on('close', () => {
    const shapes = [
      [{ port: 0, family: 4 }],
      [{ port: 0, family: 4 }],
      [{ port: 0, host: 'localhost', family: 4 }],
    ];
    for (const args of shapes) {
      for (const form of callForms(args, () => common.mustNotCall())) {
        form().on('error', common.mustCall((err) => {
          assert.match(String(err), /^Error: connect E\w+.+$/);
        }));
      }
    }
  });
}
