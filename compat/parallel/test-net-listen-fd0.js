'use strict';
// Port of Node's test/parallel/test-net-listen-fd0.js.
// listen({ fd: 0 }) on a stdin that is not a listening socket fails with an
// asynchronous 'error' (EINVAL or ENOTSOCK), not a thrown exception.
const common = require('../common');
const assert = require('assert');
const net = require('../net');

net.createServer(common.mustNotCall())
  .listen({ fd: 0 })
  .on('error', common.mustCall((err) => {
    assert(err instanceof Error);
    assert(['EINVAL', 'ENOTSOCK'].includes(err.code));
  }));
