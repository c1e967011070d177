'use strict';
// Port of Node's parallel/test-net-error-twice.js: the client is destroyed as
// soon as both ends exist while the server writes 10 MB to it; the server
// socket must emit 'error' exactly once (never the same error twice).
require('../common');
const assert = require('node:assert');
const net = require('../net');

const payload = Buffer.alloc(10 * 1024 * 1024, 0x62);
const serverErrors = [];
let clientSide;
let serverSide;

function startWhenBothConnected() {
  if (!clientSide || !serverSide) return;
  clientSide.destroy();
  serverSide.write(payload);
}

const server = net.createServer((conn) => {
  conn.on('error', (err) => {
    serverErrors.push(err);
    if (serverErrors.length > 1 && serverErrors[0] === serverErrors[1]) {
      assert.fail('Should not emit the same error twice');
    }
  });
  conn.on('close', () => server.unref());
  serverSide = conn;
  startWhenBothConnected();
});

server.listen(0, function() {
  const client = net.connect({ port: this.address().port });
  client.on('connect', () => {
    clientSide = client;
    startWhenBothConnected();
  });
});

process.on('exit', () => {
  console.log(serverErrors);
  assert.strictEqual(serverErrors.length, 1);
});
