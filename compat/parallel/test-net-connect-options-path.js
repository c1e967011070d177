'use strict';
// Port of Node's parallel/test-net-connect-options-path.js: the 12 call forms
// of connect(path) / connect({ path }) reach a unix-socket server.
const common = require('../common');
const net = require('../net');
const tmpdir = require('../common/tmpdir');

tmpdir.refresh();

const CLIENT_VARIANTS = 12;
const serverPath = `${common.PIPE}-net-connect-options-path-server`;
let closedClients = 0;

const server = net.createServer();
server.on('connection', common.mustCall((conn) => {
  conn.end('ok');
}, CLIENT_VARIANTS));

server.listen(serverPath, common.mustCall(() => {
  // Every client ends once connected; the last one to close stops the server.
  const onConnect = () => common.mustCall(function() {
    this.end();
    this.on('close', common.mustCall(() => {
      closedClients += 1;
      if (closedClients === CLIENT_VARIANTS) server.close();
    }));
  });

  // CLIENT_VARIANTS counts the forms below.
  for (const target of [serverPath, { path: serverPath }]) {
    net.connect(target, onConnect()).resume();
    net.connect(target).on('connect', onConnect()).resume();
    net.createConnection(target, onConnect()).resume();
    net.createConnection(target).on('connect', onConnect()).resume();
    new net.Socket().connect(target, onConnect()).resume();
    new net.Socket().connect(target).on('connect', onConnect()).resume();
  }
}));
