'use strict';
// Scenario 5: idle memory. The client (loadgen, its own process, so each side
// stays under the fd limit) opens N connections that then send nothing. The
// server runs with --expose-gc; RSS is read after two gc() passes before the
// connections and again once all N are accepted: (after - before) / N in KiB.
// Time to establish: from loadgen's first connect to the server's Nth accept.
const IDLE_CONNS = 10000;
const QUICK_IDLE_CONNS = 2000;

function stats(server) {
  server.send('stats');
  return server.waitFor((m) => typeof m.rss === 'number', 15000, 'server stats');
}

module.exports = {
  cases: [{
    id: 'idle-memory',
    title: '5. idle conns: server RSS per conn',
    ceiling: false,
    metrics: [
      { key: 'kibPerConn', label: 'KiB RSS/conn', better: 'lower' },
      { key: 'establishMs', label: 'ms to establish all', better: 'lower' },
    ],
    async run(h, impl) {
      const n = h.quick ? QUICK_IDLE_CONNS : IDLE_CONNS;
      const server = await h.startServer(impl, { mode: 'echo', nodeFlags: ['--expose-gc'], extra: ['--target', String(n)] });
      let client = null;
      try {
        const before = await stats(server);
        client = h.loadgenBackground(server, ['--mode', 'idle', '--conns', String(n)]);
        const established = await client.waitFor((m) => 'established' in m, 90000, 'idle connections');
        if (established.errors > 0) throw new Error(`${established.errors} of ${n} idle connections failed`);
        const accepted = await server.waitFor((m) => m.accepted === n && 'at_ms' in m, 30000, `server to accept ${n} connections`);
        await new Promise((resolve) => setTimeout(resolve, 300)); // let the last reads get posted
        const after = await stats(server);
        return {
          kibPerConn: (after.rss - before.rss) / n / 1024,
          establishMs: accepted.at_ms - established.start_ms,
        };
      } finally {
        if (client) await client.stop(5000);
        await server.stop();
      }
    },
  }],
};
