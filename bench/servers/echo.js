'use strict';
// Raw TCP benchmark server on node:net or iocp-net (NET_IMPL), listening on
// 127.0.0.1. Usage: node echo.js --port 0 --mode echo|burst|source
//   echo    write back every chunk received, pausing while write() says full
//   burst   for every byte received, write --burst chunks of --chunk bytes, one
//           write() call each (what coalescing is measured on); noDelay: true
//   source  write 64 KiB chunks forever, honouring backpressure ('drain')
// --target N: print {"accepted":N,"at_ms":...} when the Nth connection arrives.
const { loadNet, serveControl, send, parseArgs } = require('./common.js');

const net = loadNet();
const args = parseArgs();
const counters = { conns: 0, accepted: 0, written: 0, overflow: false };
const smallChunk = Buffer.alloc(args.chunk, 's');
const bigChunk = Buffer.alloc(64 * 1024, 'S');

function echo(socket) {
  socket.on('data', (data) => {
    if (!socket.write(data)) {
      socket.pause();
      socket.once('drain', () => socket.resume());
    }
  });
}

function burst(socket) {
  socket.on('data', (data) => {
    for (let turn = 0; turn < data.length; turn++) {
      for (let i = 0; i < args.burst; i++) socket.write(smallChunk);
    }
  });
}

// Guard for a broken backpressure signal (write() never returning false):
// stop before the machine runs out of memory and report it in the stats.
const SOURCE_QUEUE_LIMIT = 64 * 1024 * 1024;

function source(socket) {
  const pump = () => {
    for (let i = 0; i < 256 && !socket.destroyed; i++) {
      if (socket.writableLength > SOURCE_QUEUE_LIMIT) {
        counters.overflow = true;
        socket.destroy();
        return;
      }
      counters.written += bigChunk.length;
      if (!socket.write(bigChunk)) {
        socket.once('drain', pump);
        return;
      }
    }
    if (!socket.destroyed) setImmediate(pump); // yield so control commands are served
  };
  pump();
}

const handlers = { echo, burst, source };
const handler = handlers[args.mode];
if (!handler) throw new Error(`unknown mode ${args.mode}`);

// burst: Nagle off, so each small write is really sent on its own and the
// measure is the implementation's coalescing, not Nagle + delayed-ACK timers.
const server = net.createServer({ noDelay: args.mode === 'burst' }, (socket) => {
  counters.conns++;
  counters.accepted++;
  if (counters.accepted === args.target) send({ accepted: args.target, at_ms: Date.now() });
  socket.on('error', () => {}); // resets at teardown are expected
  socket.on('close', () => { counters.conns--; });
  handler(socket);
});
server.on('error', (err) => { console.error(err); process.exit(1); });
server.listen(args.port, '127.0.0.1', () => send({ port: server.address().port }));
serveControl(counters);
