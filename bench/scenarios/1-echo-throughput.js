'use strict';
// Scenario 1: echo throughput. Each connection keeps 4 x 16 KiB in flight and
// reads the echo back; MB/s counts echoed bytes (10^6 bytes) over the window.
const { serverUsPer } = require('../lib/stats.js');

const SIZE = 16 * 1024;

function echoCase(conns) {
  return {
    id: `echo-${conns}`,
    title: `1. echo 16 KiB writes, ${conns} conn${conns > 1 ? 's' : ''}`,
    ceiling: true,
    metrics: [
      { key: 'mbps', label: 'MB/s', better: 'higher' },
      { key: 'serverUs', label: 'server CPU us/MB', better: 'lower' },
    ],
    async run(h, impl) {
      const server = await h.startServer(impl, { mode: 'echo' });
      try {
        const r = await h.loadgen(server, ['--mode', 'echo', '--conns', String(conns), '--size', String(SIZE)]);
        const mbps = r.bytes / r.seconds / 1e6;
        return { mbps, serverUs: serverUsPer(r, mbps), clientCpu: r.client_cpu, serverCpu: r.server_cpu };
      } finally {
        await server.stop();
      }
    },
  };
}

module.exports = { cases: [echoCase(1), echoCase(64), echoCase(1000)] };
