'use strict';
// Shared plumbing of the benchmark servers: which net implementation to use,
// the "ready" line, and a tiny control protocol on stdin used by the driver.
//
//   NET_IMPL=node      -> require('node:net')
//   NET_IMPL=iocp-net  -> require('<repo>/dist/net.js') (or $IOCP_NET_PATH)
//
// stdout: one JSON line per event: {"port":N} when listening, then one line per
// control command. stdin commands (one per line):
//   stats  -> {"rss":bytes,"hwm":bytes,"conns":N,"written":bytes}, after gc() when
//             the process runs with --expose-gc (two passes, so weak/finalized
//             objects are gone too).
// The process exits when stdin closes, so a dead driver never leaves it behind.
const path = require('node:path');
const fs = require('node:fs');

// IOCP_NET_PATH overrides where iocp-net is loaded from (another build, or
// 'node:net' to check the benchmark's own iocp-net code paths).
function iocpNetPath() {
  return process.env.IOCP_NET_PATH || path.join(__dirname, '..', '..', 'dist', 'net.js');
}

function loadNet() {
  const impl = process.env.NET_IMPL || 'node';
  if (impl === 'node') return require('node:net');
  if (impl === 'iocp-net') return require(iocpNetPath());
  throw new Error(`unknown NET_IMPL ${impl}`);
}

function readHighWaterMark() {
  // VmHWM: the peak resident set size of the process, in kB.
  const status = fs.readFileSync('/proc/self/status', 'utf8');
  const m = /VmHWM:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) * 1024 : -1;
}

function send(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

// counters: object the server updates ({ conns, written }); reported on 'stats'.
function serveControl(counters) {
  let pending = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => {
    pending += chunk;
    let nl;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const cmd = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (cmd === 'stats') {
        if (typeof global.gc === 'function') { global.gc(); global.gc(); }
        send({ rss: process.memoryUsage.rss(), hwm: readHighWaterMark(), ...counters });
      }
    }
  });
  process.stdin.on('end', () => process.exit(0));
}

function parseArgs() {
  const args = { port: 0, mode: 'echo', burst: 100, chunk: 32, target: 0 };
  const argv = process.argv.slice(2);
  for (let i = 0; i + 1 < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    args[key] = key === 'mode' ? argv[i + 1] : Number(argv[i + 1]);
  }
  return args;
}

module.exports = { loadNet, serveControl, send, parseArgs };
