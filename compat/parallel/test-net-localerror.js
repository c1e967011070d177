'use strict';
// Port of Node's parallel/test-net-localerror.js: invalid localAddress or
// localPort options are rejected synchronously by connect().
require('../common');
const assert = require('assert');
const net = require('../net');

function expectConnectThrows(options, code, ErrorClass) {
  assert.throws(() => net.connect(options), { code, name: ErrorClass.name });
}

expectConnectThrows({ host: 'localhost', port: 0, localAddress: 'foobar' },
                    'ERR_INVALID_IP_ADDRESS', TypeError);
expectConnectThrows({ host: 'localhost', port: 0, localPort: 'foobar' },
                    'ERR_INVALID_ARG_TYPE', TypeError);
