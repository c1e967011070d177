'use strict';
// Scenario 9: sequential keep-alive HTTP requests from one client. One
// connection; each GET is sent once the previous response has arrived, so the
// server is idle between requests (what scenario 8 does for raw TCP, through
// node's http.Server). Server: servers/http.js as in scenario 6 (iocp-net
// sockets reach the http.Server through emit('connection')). Client: loadgen's
// HTTP/1.1 client for every implementation (wrk reports no max, and its
// latency is what scenario 6 measures under load).

module.exports = {
  cases: [{
    id: 'seqhttp-1',
    title: '9. sequential keep-alive HTTP, 1 conn',
    ceiling: true,
    metrics: [
      { key: 'rps', label: 'req/s', better: 'higher' },
      { key: 'p50', label: 'p50 latency us', better: 'lower' },
      { key: 'p99', label: 'p99 latency us', better: 'lower' },
      { key: 'max', label: 'max latency us', better: 'lower' },
    ],
    async run(h, impl) {
      const server = await h.startServer(impl, { kind: 'http' });
      try {
        const r = await h.loadgen(server, ['--mode', 'http', '--conns', '1']);
        return { rps: r.msgs / r.seconds, p50: r.p50_us, p99: r.p99_us, max: r.max_us, clientCpu: r.client_cpu, serverCpu: r.server_cpu };
      } finally {
        await server.stop();
      }
    },
  }],
};
