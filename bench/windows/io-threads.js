'use strict';
// IOCP I/O thread count (rule 12): the same loads with iocp.ioThreads = 1, 2,
// 4 and 6 (seed 000's CPUs x 2 + 2 on a 2-core machine), each in its own
// Windows node.exe process, rounds alternating. Run under Windows node.exe:
//
//   IOCP_NET_ADDON=... node.exe bench/windows/io-threads.js [rounds] [seconds]
//
// Loads (server and clients in one process, loopback):
//   rtt-1   one connection, 64-byte ping-pong: round trips/s (latency-bound)
//   pp-64   64 connections ping-ponging 64 bytes: round trips/s
//   echo-8  8 connections echoing 64 KiB writes: MB/s
// Prints one table of medians; a process per measurement, bounded in time.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const THREADS = [1, 2, 4, 6];
const LOADS = ['rtt-1', 'pp-64', 'echo-8'];

function child(threads, load, seconds) {
  const { getEngine } = require(path.join(__dirname, '..', '..', 'dist', 'engine.js'));
  getEngine({ iocp: { ioThreads: threads } });
  const net = require(path.join(__dirname, '..', '..', 'dist', 'net.js'));
  const conns = load === 'rtt-1' ? 1 : load === 'pp-64' ? 64 : 8;
  const chunk = Buffer.alloc(load === 'echo-8' ? 64 * 1024 : 64, 'x');
  let count = 0;
  let stop = false;
  const server = net.createServer((s) => s.on('data', (d) => s.write(d)));
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    const sockets = [];
    for (let i = 0; i < conns; i++) {
      const c = net.connect(port, '127.0.0.1', () => c.write(chunk));
      c.setNoDelay(true);
      let got = 0;
      c.on('data', (d) => {
        got += d.length;
        if (load === 'echo-8') {
          count += d.length;
          if (!stop && got >= chunk.length) { got -= chunk.length; c.write(chunk); }
        } else if (got >= chunk.length) {
          got = 0;
          count++;
          if (!stop) c.write(chunk);
        }
      });
      c.on('error', () => {});
      sockets.push(c);
    }
    const started = process.hrtime.bigint();
    setTimeout(() => {
      stop = true;
      const secs = Number(process.hrtime.bigint() - started) / 1e9;
      const value = load === 'echo-8' ? count / secs / 1e6 : count / secs;
      process.stdout.write(JSON.stringify({ value }) + '\n');
      for (const c of sockets) c.destroy();
      server.close();
      process.exit(0);
    }, seconds * 1000);
  });
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function main() {
  const rounds = Number(process.argv[2] || 3);
  const seconds = Number(process.argv[3] || 3);
  const results = {};
  for (let round = 0; round < rounds; round++) {
    for (const load of LOADS) {
      for (const threads of THREADS) {
        const r = spawnSync(process.execPath, [__filename, '--child', String(threads), load, String(seconds)],
          { encoding: 'utf8', timeout: (seconds + 20) * 1000 });
        const line = (r.stdout || '').trim().split('\n').pop();
        let value = NaN;
        try { value = JSON.parse(line).value; } catch { /* reported as NaN */ }
        (results[`${load}/${threads}`] ||= []).push(value);
      }
    }
  }
  const header = ['load', ...THREADS.map((t) => `${t} thread${t > 1 ? 's' : ''}`)];
  const rows = LOADS.map((load) => [load, ...THREADS.map((t) => median(results[`${load}/${t}`]).toFixed(load === 'echo-8' ? 1 : 0))]);
  console.log(`rounds ${rounds} x ${seconds} s; medians (rtt-1, pp-64: round trips/s; echo-8: MB/s)`);
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

if (process.argv[2] === '--child') child(Number(process.argv[3]), process.argv[4], Number(process.argv[5]));
else main();
