'use strict';
// Port of Node's test/parallel/test-net-connect-destroy.js.
// destroy() on a socket that never connected still emits 'close'.
const common = require('../common');
const net = require('../net');

const idle = new net.Socket();
idle.on('close', common.mustCall());
idle.destroy();
