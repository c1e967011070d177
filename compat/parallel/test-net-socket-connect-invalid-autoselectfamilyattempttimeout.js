'use strict';
// Port of Node's
// parallel/test-net-socket-connect-invalid-autoselectfamilyattempttimeout.js:
// attempt timeouts <= 0 are out of range (option and default setter); the
// default setter raises positive values below 10 to 10.
require('../common');
const assert = require('assert');
const net = require('../net');

for (const attemptTimeout of [-10, 0]) {
  assert.throws(() => {
    net.connect({
      port: 8080,
      autoSelectFamily: true,
      autoSelectFamilyAttemptTimeout: attemptTimeout,
    });
  }, { code: 'ERR_OUT_OF_RANGE' });

  assert.throws(() => {
    net.setDefaultAutoSelectFamilyAttemptTimeout(attemptTimeout);
  }, { code: 'ERR_OUT_OF_RANGE' });
}

for (const attemptTimeout of [1, 9]) {
  net.setDefaultAutoSelectFamilyAttemptTimeout(attemptTimeout);
  assert.strictEqual(net.getDefaultAutoSelectFamilyAttemptTimeout(), 10);
}
