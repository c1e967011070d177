'use strict';
// Scenario 4: connection rate. 64 concurrent slots, each: connect, send 1 byte,
// read the echoed byte, close (client closes first), repeat. Connections/s.
const { serverUsPer } = require('../lib/stats.js');

module.exports = {
  cases: [{
    id: 'connrate-64',
    title: '4. connect+1 B each way+close, concurrency 64',
    ceiling: true,
    metrics: [
      { key: 'connps', label: 'conn/s', better: 'higher' },
      { key: 'serverUs', label: 'server CPU us/conn', better: 'lower' },
      { key: 'errors', label: 'failed conns', better: 'lower', integer: true },
    ],
    async run(h, impl) {
      const server = await h.startServer(impl, { mode: 'echo' });
      try {
        const r = await h.loadgen(server, ['--mode', 'connrate', '--conns', '64']);
        const connps = r.msgs / r.seconds;
        return { connps, serverUs: serverUsPer(r, connps), errors: r.errors, clientCpu: r.client_cpu, serverCpu: r.server_cpu };
      } finally {
        await server.stop();
      }
    },
  }],
};
