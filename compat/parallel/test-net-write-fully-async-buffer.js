'use strict';
// Flags: --expose-gc
// Port of Node's parallel/test-net-write-fully-async-buffer.js: Buffers that
// are queued for an asynchronous write must stay alive (and intact) across a
// garbage collection; 200 rounds of write-until-false, gc, wait for 'drain'.
const common = require('../common');
const net = require('../net');

const template = Buffer.alloc(1_000_000);

const server = net.createServer(common.mustCall((conn) => conn.resume()));

server.listen(0, common.mustCall(function() {
  const client = net.createConnection(this.address().port, common.mustCall(() => {
    let rounds = 0;
    function fillUntilFull() {
      if (rounds++ === 200) {
        client.destroy();
        server.close();
        return;
      }
      // A fresh Buffer per write, referenced only by the pending write.
      while (client.write(Buffer.from(template)));
      global.gc({ type: 'minor' });
    }
    client.on('drain', fillUntilFull);
    fillUntilFull();
  }));
}));
