'use strict';
// Port of Node's test/parallel/test-net-allow-half-open.js.
// With the default allowHalfOpen=false a client that receives the peer's FIN
// must end its own side and close, but it must not be destroyed abruptly:
// neither at 'end' nor at 'finish'.
const common = require('../common');
const assert = require('assert');
const net = require('../net');

// Case 1: the server ends first; the client only reads.
{
  const server = net.createServer(common.mustCall((conn) => {
    conn.end(Buffer.alloc(1024));
  }));
  server.listen(0, common.mustCall(() => {
    const client = net.connect(server.address().port);
    assert.strictEqual(client.allowHalfOpen, false);
    client.resume();
    client.on('end', common.mustCall(() => {
      // One tick later the automatic end() is under way, not a destroy().
      process.nextTick(() => {
        assert(!client.destroyed);
        server.close();
      });
    }));
    client.on('finish', common.mustCall(() => {
      assert(!client.destroyed);
    }));
    client.on('close', common.mustCall());
  }));
}

// Case 2: both sides end at about the same time.
{
  const server = net.createServer(common.mustCall((conn) => {
    conn.end(Buffer.alloc(1024));
  }));
  server.listen(0, common.mustCall(() => {
    const client = net.connect(server.address().port);
    assert.strictEqual(client.allowHalfOpen, false);
    client.resume();
    client.on('end', common.mustCall(() => {
      assert(!client.destroyed);
    }));
    client.end('asd');
    client.on('finish', common.mustCall(() => {
      assert(!client.destroyed);
    }));
    client.on('close', common.mustCall(() => {
      server.close();
    }));
  }));
}
