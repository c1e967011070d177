'use strict';
// Port of Node's test/parallel/test-net-socket-end-callback.js.
// end(cb), end(data, cb) and end(data, encoding, cb) all call cb.
const common = require('../common');
const net = require('../net');

const server = net.createServer((conn) => {
  conn.resume();
}).unref();

server.listen(common.mustCall(() => {
  const connectThenEnd = (...endArgs) => {
    const client = net.createConnection(server.address().port, () => {
      client.end(...endArgs);
    });
  };

  const endCallback = common.mustCall(3);
  connectThenEnd(endCallback);
  connectThenEnd('foo', endCallback);
  connectThenEnd('foo', 'utf8', endCallback);
}));
