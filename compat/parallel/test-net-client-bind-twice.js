'use strict';
// Port of Node's parallel/test-net-client-bind-twice.js: a client asking for
// a localAddress:localPort that a listening server already holds gets
// EADDRINUSE as an 'error' event.
const common = require('../common');
const assert = require('assert');
const net = require('../net');

const target = net.createServer(common.mustNotCall());
target.listen(0, common.localhostIPv4, common.mustCall(() => {
  const occupier = net.createServer(common.mustNotCall());
  occupier.listen(0, common.localhostIPv4, common.mustCall(() => {
    const client = net.connect({
      host: common.localhostIPv4,
      port: target.address().port,
      localAddress: common.localhostIPv4,
      localPort: occupier.address().port,
    }, common.mustNotCall());

    client.on('error', common.mustCall((err) => {
      assert.strictEqual(err.code, 'EADDRINUSE');
      target.close();
      occupier.close();
    }));
  }));
}));
