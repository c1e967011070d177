'use strict';
// Port of Node's parallel/test-net-pause-resume-connecting.js: pause() and
// resume() called before the connection is established decide whether 'data'
// flows once it is: the last call wins. Five clients, three end up flowing.
const common = require('../common');
const assert = require('node:assert');
const net = require('../net');

let connections = 0;
let dataEvents = 0;

const server = net.createServer((conn) => {
  connections++;
  conn.end('This was the year he fell to pieces.');
  if (connections === 5) server.close();
});

function countData() {
  dataEvents++;
}

// A paused client never gets data; after 100 ms let it drain so it can close.
function releaseLater(client) {
  setTimeout(() => {
    client.removeAllListeners('data');
    client.resume();
  }, 100);
}

server.listen(0, function() {
  const { port } = this.address();
  const open = () => net.createConnection(port, 'localhost');

  const c1 = open();
  c1.resume();
  c1.on('data', countData);

  const c2 = open();
  c2.pause();
  c2.resume();
  c2.on('data', countData);

  const c3 = open();
  c3.pause();
  c3.on('data', common.mustNotCall());
  releaseLater(c3);

  const c4 = open();
  c4.resume();
  c4.pause();
  c4.resume();
  c4.on('data', countData);

  const c5 = open();
  c5.resume();
  c5.resume();
  c5.pause();
  c5.on('data', common.mustNotCall());
  releaseLater(c5);
});

process.on('exit', () => {
  assert.strictEqual(connections, 5);
  assert.strictEqual(dataEvents, 3);
});
