'use strict';
// Flags: --expose-gc
// Port of Node's parallel/test-net-write-fully-async-hex-string.js: a hex
// string write is converted to a temporary Buffer inside write(); that Buffer
// must stay alive until the asynchronous write completes, across a gc.
const common = require('../common');
const net = require('../net');

const hexPayload = Buffer.alloc(1_000_000).toString('hex');

const server = net.createServer(common.mustCall((conn) => conn.resume()));

server.listen(0, common.mustCall(function() {
  const client = net.createConnection(this.address().port, common.mustCall(() => {
    let rounds = 0;
    function fillUntilFull() {
      if (rounds++ === 20) {
        client.destroy();
        server.close();
        return;
      }
      while (client.write(hexPayload, 'hex'));
      global.gc({ type: 'minor' });
    }
    client.on('drain', fillUntilFull);
    fillUntilFull();
  }));
}));
