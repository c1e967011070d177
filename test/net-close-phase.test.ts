// 'close' of a socket destroyed before its connect attempt began (the host
// lookup still running) comes where node's comes: from its handle's close
// callback, in the loop's close phase. So after the check phase of the turn
// it was destroyed in (a setImmediate made after destroy() runs first), and,
// when destroyed inside a setImmediate callback, still in that turn (before
// the next turn's timers). A setImmediate of ours came a turn late there.
import t from 'tap';
import { compare, delay, Net } from './impl';

/** Busy-waits `ms` so a timer made just before is due at the next turn. */
function spin(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end);
}

/** A socket whose lookup of 'localhost' is still running when it is destroyed. */
function destroyDuringLookup(net: Net, log: string[]): void {
  const socket = net.connect({ host: 'localhost', port: 1 });
  socket.on('error', (err: any) => log.push(`error ${err.code}`));
  socket.on('close', () => log.push('close'));
  socket.destroy();
}

compare(t, "destroy() during the lookup: 'close' in the loop's close phase", async (net: Net) => {
  const fromTimer: string[] = [];
  await new Promise<void>((resolve) => setTimeout(() => {
    destroyDuringLookup(net, fromTimer);
    setImmediate(() => fromTimer.push('immediate'));
    setTimeout(resolve, 50);
  }, 1));
  const fromImmediate: string[] = [];
  await new Promise<void>((resolve) => setImmediate(() => {
    destroyDuringLookup(net, fromImmediate);
    setTimeout(() => fromImmediate.push('timeout'), 0);
    spin(5);
    setTimeout(resolve, 50);
  }));
  await delay(20);
  return { fromTimer, fromImmediate };
});
