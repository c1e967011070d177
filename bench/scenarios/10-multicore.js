'use strict';
// Scenario 10: every core busy. One port served by 1 and by 2 workers, echo
// and HTTP: iocp-net with worker_threads, each with its own engine, listening
// with reusePort; node:net with cluster (node 20 has no reusePort: cluster is
// what it can do). Neither the server nor the load generator is pinned: on a
// 2-core machine both workers and the client share the cores, so the figure
// is the throughput a second worker adds with the client taking its share.
// Server CPU is not shown: node's cluster runs its workers in processes of
// their own, which loadgen's --server-pid (the primary) does not count.

const SIZE = 16 * 1024;

function multicoreCase(mode, workers) {
  return {
    id: `multicore-${mode}-${workers}w`,
    title: `10. ${mode === 'echo' ? 'echo 16 KiB writes, 64 KiB in flight, 64 conns' : 'HTTP hello-world, 100 conns'}, ${workers} worker${workers > 1 ? 's' : ''}, unpinned`,
    ceiling: false,
    metrics: mode === 'echo'
      ? [{ key: 'mbps', label: 'MB/s', better: 'higher' }]
      : [{ key: 'rps', label: 'req/s', better: 'higher' }, { key: 'p99', label: 'p99 latency us', better: 'lower' }],
    async run(h, impl) {
      const server = await h.startServer(impl, { kind: 'multicore', mode, extra: ['--workers', String(workers)], pinned: false });
      try {
        if (mode === 'echo') {
          const r = await h.loadgen(server, ['--mode', 'echo', '--conns', '64', '--size', String(SIZE), '--window', String(64 * 1024)],
            { pinned: false });
          return { mbps: r.bytes / r.seconds / 1e6, clientCpu: r.client_cpu };
        }
        const r = await h.loadgen(server, ['--mode', 'http', '--conns', '100'], { pinned: false });
        const rps = r.msgs / r.seconds;
        return { rps, p99: r.p99_us, clientCpu: r.client_cpu };
      } finally {
        await server.stop();
      }
    },
  };
}

module.exports = {
  cases: [multicoreCase('echo', 1), multicoreCase('echo', 2), multicoreCase('http', 1), multicoreCase('http', 2)],
};
