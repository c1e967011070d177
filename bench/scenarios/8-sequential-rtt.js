'use strict';
// Scenario 8: sequential round trips, peer in another process. The client
// (loadgen, the same C program for every server) sends 64 bytes on a
// connection, waits for the echo, then sends the next: one message in flight
// per connection, so between messages both processes sit idle. A saturated
// benchmark keeps a loop busy and hides a wake-up that comes late; here every
// message waits for one, so a stall shows in p99 and max at once.
// 1 connection, and 8 (each sequential, 8 in flight at most).

function sequentialCase(conns) {
  return {
    id: `rtt-${conns}`,
    title: `8. sequential 64 B round trips, ${conns} conn${conns > 1 ? 's' : ''}`,
    ceiling: true,
    metrics: [
      { key: 'msgps', label: 'msg/s', better: 'higher' },
      { key: 'p50', label: 'p50 RTT us', better: 'lower' },
      { key: 'p99', label: 'p99 RTT us', better: 'lower' },
      { key: 'max', label: 'max RTT us', better: 'lower' },
    ],
    async run(h, impl) {
      const server = await h.startServer(impl, { mode: 'echo' });
      try {
        const r = await h.loadgen(server, ['--mode', 'pingpong', '--conns', String(conns), '--size', '64']);
        return { msgps: r.msgs / r.seconds, p50: r.p50_us, p99: r.p99_us, max: r.max_us, clientCpu: r.client_cpu, serverCpu: r.server_cpu };
      } finally {
        await server.stop();
      }
    },
  };
}

module.exports = { cases: [sequentialCase(1), sequentialCase(8)] };
