'use strict';
// Scenario 2: ping-pong. 64 connections, one 64-byte message in flight each;
// messages per second and round-trip time percentiles measured by loadgen.
const { serverUsPer } = require('../lib/stats.js');

module.exports = {
  cases: [{
    id: 'pingpong-64',
    title: '2. ping-pong 64 B, 64 conns',
    ceiling: true,
    metrics: [
      { key: 'msgps', label: 'msg/s', better: 'higher' },
      { key: 'p50', label: 'p50 RTT us', better: 'lower' },
      { key: 'p99', label: 'p99 RTT us', better: 'lower' },
      { key: 'serverUs', label: 'server CPU us/msg', better: 'lower' },
    ],
    async run(h, impl) {
      const server = await h.startServer(impl, { mode: 'echo' });
      try {
        const r = await h.loadgen(server, ['--mode', 'pingpong', '--conns', '64', '--size', '64']);
        const msgps = r.msgs / r.seconds;
        return { msgps, serverUs: serverUsPer(r, msgps), p50: r.p50_us, p99: r.p99_us, clientCpu: r.client_cpu, serverCpu: r.server_cpu };
      } finally {
        await server.stop();
      }
    },
  }],
};
