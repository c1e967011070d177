'use strict';
// Scenario 1: echo throughput. Each connection writes 16 KiB chunks, keeps
// up to a window of bytes in flight and reads the echo back; MB/s counts
// echoed bytes (10^6 bytes) over the window. Two depths: 64 KiB in flight
// (request/response-like) and 1 MiB (a deep pipeline: proxies, file
// transfer, bulk reads, where each byte's cost on its way dominates).
const { serverUsPer } = require('../lib/stats.js');

const SIZE = 16 * 1024;

function echoCase(conns, window) {
  const deep = window > 64 * 1024;
  return {
    id: deep ? `echo-deep-${conns}` : `echo-${conns}`,
    title: `1. echo 16 KiB writes, ${deep ? '1 MiB' : '64 KiB'} in flight, ${conns} conn${conns > 1 ? 's' : ''}`,
    ceiling: true,
    metrics: [
      { key: 'mbps', label: 'MB/s', better: 'higher' },
      { key: 'serverUs', label: 'server CPU us/MB', better: 'lower' },
    ],
    async run(h, impl) {
      const server = await h.startServer(impl, { mode: 'echo' });
      try {
        const r = await h.loadgen(server, ['--mode', 'echo', '--conns', String(conns), '--size', String(SIZE),
          '--window', String(window)]);
        const mbps = r.bytes / r.seconds / 1e6;
        return { mbps, serverUs: serverUsPer(r, mbps), clientCpu: r.client_cpu, serverCpu: r.server_cpu };
      } finally {
        await server.stop();
      }
    },
  };
}

module.exports = {
  cases: [
    echoCase(1, 64 * 1024), echoCase(64, 64 * 1024), echoCase(1000, 64 * 1024),
    echoCase(64, 1024 * 1024), echoCase(1000, 1024 * 1024),
  ],
};
