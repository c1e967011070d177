'use strict';
// Port of Node's pummel/test-net-timeout2.js: a 2.5 s idle timeout on the
// server socket never fires because the server writes every second for 5 s.
const common = require('../common');
const net = require('../net');

const seconds = 5;
let ticks = 0;

const server = net.createServer((conn) => {
  conn.setTimeout((seconds / 2) * 1000, common.mustNotCall());

  const writer = setInterval(() => {
    ticks += 1;
    if (ticks === seconds) {
      clearInterval(writer);
      server.close();
      conn.destroy();
    }
    if (conn.writable) conn.write(`${Date.now()}\n`);
  }, 1000);
});

server.listen(0, () => {
  const client = net.connect(server.address().port);
  client.pipe(process.stdout);
});
