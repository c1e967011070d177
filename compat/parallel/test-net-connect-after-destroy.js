'use strict';
// Port of Node's parallel/test-net-connect-after-destroy.js: destroying a
// socket whose connect still waits for a DNS lookup must not crash when the
// lookup completes afterwards.
require('../common');
const net = require('../net');

const socket = net.createConnection(80, 'google.com');
socket.destroy();
