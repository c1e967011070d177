'use strict';
// Scenario 7: large transfer to a slow reader. The server writes 64 KiB chunks
// as fast as write()/'drain' allow to 4 connections whose reader takes 16 MB/s
// in total. With working backpressure the server's memory stays flat: we report
// its peak RSS (VmHWM) and the growth of that peak over its RSS once listening.
const RATE = 16e6;

function stats(server) {
  server.send('stats');
  return server.waitFor((m) => typeof m.rss === 'number', 15000, 'server stats');
}

module.exports = {
  cases: [{
    id: 'slowreader',
    title: '7. 64 KiB writes to a 16 MB/s reader, 4 conns',
    ceiling: false,
    metrics: [
      { key: 'peakMiB', label: 'peak RSS MiB', better: 'lower' },
      { key: 'growthMiB', label: 'peak - start RSS MiB', better: 'lower' },
      { key: 'mbps', label: 'delivered MB/s', better: 'higher' },
    ],
    async run(h, impl) {
      const server = await h.startServer(impl, { mode: 'source' });
      try {
        const before = await stats(server);
        let r;
        let failure = null;
        try {
          r = await h.loadgen(server, ['--mode', 'slowread', '--conns', '4', '--rate', String(RATE)]);
        } catch (err) {
          failure = err; // the server may have cut the connection on purpose: see overflow
        }
        const after = await stats(server);
        if (after.overflow) throw new Error('backpressure broken: more than 64 MiB queued on a socket while write() kept returning true');
        if (failure) throw failure;
        return {
          peakMiB: after.hwm / 2 ** 20,
          growthMiB: (after.hwm - before.rss) / 2 ** 20,
          mbps: r.bytes / r.seconds / 1e6,
          clientCpu: r.client_cpu,
          serverCpu: r.server_cpu,
        };
      } finally {
        await server.stop();
      }
    },
  }],
};
