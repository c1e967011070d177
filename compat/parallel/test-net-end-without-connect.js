'use strict';
// Port of Node's test/parallel/test-net-end-without-connect.js.
// end() on a socket that was never connected must not throw.
require('../common');
const net = require('../net');

const neverConnected = new net.Socket();
neverConnected.end();
