'use strict';
// Port of Node's parallel/test-net-server-listen-path.js: listen(path) and
// listen({ path }) with and without callback; readableAll/writableAll make
// the socket file world readable/writable; a busy path gives EADDRINUSE.
const common = require('../common');
const assert = require('assert');
const fs = require('fs');
const net = require('../net');
const tmpdir = require('../common/tmpdir');

tmpdir.refresh();

let pathCounter = 0;
function nextPipePath() {
  return `${common.PIPE}-listen-path-${pathCounter++}`;
}

function closeOnce() {
  return common.mustCall(function() {
    this.close();
  });
}

net.createServer().listen(nextPipePath()).on('listening', closeOnce());
net.createServer().listen({ path: nextPipePath() }).on('listening', closeOnce());
net.createServer().listen(nextPipePath(), closeOnce());
net.createServer().listen({ path: nextPipePath() }, closeOnce());

{
  const socketPath = nextPipePath();
  const server = net.createServer().listen({
    path: socketPath,
    readableAll: true,
    writableAll: true,
  }, common.mustCall(() => {
    if (process.platform !== 'win32') {
      const { mode } = fs.statSync(socketPath);
      assert.notStrictEqual(mode & fs.constants.S_IROTH, 0);
      assert.notStrictEqual(mode & fs.constants.S_IWOTH, 0);
    }
    server.close();
  }));
}

{
  const socketPath = nextPipePath();
  const first = net.createServer().listen({ path: socketPath }, () => {
    // The path is taken: a second server must fail with EADDRINUSE.
    const second = net.createServer();
    if (common.isWine) {
      // Wine difference 6: Wine ignores FILE_FLAG_FIRST_PIPE_INSTANCE, so a
      // second server on a pipe name is not refused there (node.exe's own
      // net listens too); Windows gives EADDRINUSE.
      second.listen({ path: socketPath, writableAll: true }, common.mustCall(() => {
        second.close();
        first.close();
      }));
      return;
    }
    second.listen({
      path: socketPath,
      writableAll: true,
    }, common.mustNotCall());
    second.on('error', common.mustCall((err) => {
      first.close();
      assert.strictEqual(err.code, 'EADDRINUSE');
      assert.match(err.message, /^listen EADDRINUSE: address already in use/);
    }));
  });
}
