'use strict';
// Port of Node's test/parallel/test-net-socket-timeout.js.
// setTimeout() validates its delay (type, then range) and its callback;
// the 'timeout' fires on a connecting socket; setTimeout() after destroy()
// returns the socket and never fires.
const common = require('../common');
const net = require('../net');
const assert = require('assert');

const unconnected = new net.Socket();
const notNumbers = ['100', true, false, undefined, null, '', {}, () => {}, []];
const outOfRange = [-0.001, -1, -Infinity, Infinity, NaN];
const accepted = [0, 0.001, 1, 1e6];
const notCallbacks = [1, '100', true, false, null, {}, [], Symbol('test')];

for (const delay of notNumbers) {
  assert.throws(() => unconnected.setTimeout(delay, () => {}),
                { code: 'ERR_INVALID_ARG_TYPE' }, delay);
}

for (const delay of outOfRange) {
  assert.throws(() => unconnected.setTimeout(delay, () => {}),
                { code: 'ERR_OUT_OF_RANGE' }, delay);
}

for (const delay of accepted) {
  unconnected.setTimeout(delay, () => {});
}

for (const callback of notCallbacks) {
  for (const msecs of [0, 1]) {
    assert.throws(() => unconnected.setTimeout(msecs, callback), {
      code: 'ERR_INVALID_ARG_TYPE',
      name: 'TypeError',
    });
  }
}

const server = net.Server();
server.listen(0, common.mustCall(() => {
  const client = net.createConnection(server.address().port);
  const returned = client.setTimeout(1, common.mustCall(() => {
    client.destroy();
    assert.strictEqual(client.setTimeout(1, common.mustNotCall()), client);
    server.close();
  }));
  assert.strictEqual(returned, client);
}));
