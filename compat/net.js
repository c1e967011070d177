'use strict';
// The one place every ported test gets `net` from: NET_IMPL=iocp-net selects
// this package's build output, anything else (or unset) selects node:net.
module.exports = process.env.NET_IMPL === 'iocp-net' ?
  require('../dist/net.js') :
  require('node:net');
