// Port of Node's test/parallel/test-net-server-async-dispose.mjs.
// server[Symbol.asyncDispose]() closes the server (address() becomes null,
// 'close' fires) and resolves; a second call on a closed server resolves too.
import * as common from '../common/index.mjs';
import assert from 'node:assert';
import net from '../net.mjs';
import { describe, it } from 'node:test';

describe('net.Server[Symbol.asyncDispose]()', () => {
  it('should close the server', async () => {
    const server = net.createServer();
    // Keeps the loop alive until the dispose has been checked.
    const keepAlive = setTimeout(common.mustNotCall(), 2 ** 31 - 1);

    server.listen(0, common.mustCall(async () => {
      await server[Symbol.asyncDispose]().then(common.mustCall());
      assert.strictEqual(server.address(), null);
      clearTimeout(keepAlive);
    }));

    server.on('close', common.mustCall());
  });

  it('should resolve even if the server is already closed', async () => {
    const server = net.createServer();
    const keepAlive = setTimeout(common.mustNotCall(), 2 ** 31 - 1);

    server.listen(0, common.mustCall(async () => {
      await server[Symbol.asyncDispose]().then(common.mustCall());
      await server[Symbol.asyncDispose]()
        .then(common.mustCall(), common.mustNotCall());
      clearTimeout(keepAlive);
    }));
  });
});
