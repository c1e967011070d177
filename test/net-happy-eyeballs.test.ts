// connect({ happyEyeballs }) (lib/happy-eyeballs.ts, RFC 8305): attempts race
// with a staggered start and the first to connect wins. Run inside a network
// namespace made for the test (unshare -n, as root): lo up with 127.0.0.2
// and 127.0.0.3, SYNs to both dropped by iptables, so an attempt to them
// hangs as on a broken route (test/fixtures/happy-eyeballs-app.js).
// node:net has no such option: its serial autoSelectFamily is checked as the
// default, and its AggregateError is the shape ours must have.
import t from 'tap';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { iocpNetPath } from './impl';

const app = path.join(__dirname, 'fixtures', 'happy-eyeballs-app.js');
const setup = [
  'set -e',
  'ip link set lo up',
  'ip addr add 127.0.0.2/8 dev lo',
  'ip addr add 127.0.0.3/8 dev lo',
  'iptables -A INPUT -d 127.0.0.2 -p tcp --syn -j DROP',
  'iptables -A INPUT -d 127.0.0.3 -p tcp --syn -j DROP',
  `exec "${process.execPath}" "${app}"`,
].join('\n');

/** Why the namespace cannot be made here (no unshare, no iptables, not root), or null. */
function unavailable(): string | null {
  for (const tool of ['unshare', 'iptables', 'ip']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed (apt-get install util-linux iptables iproute2)`;
  }
  const probe = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up && iptables -L INPUT -n'], { encoding: 'utf8' });
  if (probe.status !== 0) return `cannot make a network namespace with a firewall (needs root): ${(probe.stderr || '').trim()}`;
  return null;
}

const reason = unavailable();
if (reason !== null) {
  t.skip(`happyEyeballs in a network namespace: ${reason}`);
} else {
  const run = spawnSync('unshare', ['-n', 'sh', '-c', setup], {
    encoding: 'utf8', env: { ...process.env, NET_PATH: iocpNetPath }, timeout: 60_000,
  });
  const lines = (run.stdout || '').trim().split('\n');
  let r: any = null;
  try {
    r = JSON.parse(lines[lines.length - 1]);
  } catch {
    // reported below
  }

  t.test('the fixture ran', async (t) => {
    t.equal(run.status, 0, run.stderr);
    t.ok(r, `a transcript (stdout: ${run.stdout})`);
  });

  const names = (events: any[]) => events.map((e) => (e.address ? `${e.event} ${e.address}` : e.event));
  const at = (events: any[], name: string) => events.find((e) => `${e.event} ${e.address}` === name)?.at as number;

  t.test('the black-holed address first: the next starts 250 ms later and wins; the hung attempt is closed', async (t) => {
    const x = r.defaultDelay;
    t.strictSame(names(x.events), ['connectionAttempt 127.0.0.2', 'connectionAttempt 127.0.0.1', 'connect', 'end', 'close'],
      'no event of the losing attempt');
    const stagger = at(x.events, 'connectionAttempt 127.0.0.1') - at(x.events, 'connectionAttempt 127.0.0.2');
    t.ok(stagger >= 240 && stagger < 1000, `second attempt ${stagger} ms after the first`);
    t.equal(x.remoteAddress, '127.0.0.1');
    t.equal(x.error, null);
    t.equal(x.synSentAfter, 0, 'no SYN_SENT socket left towards the black hole');
    t.equal(x.ownersAfter, 0, 'no engine handle left');
  });

  t.test('a delay of its own, families interleaved', async (t) => {
    const x = r.interleaved;
    // Resolved as [127.0.0.2, 127.0.0.3, ::1]; tried as [127.0.0.2, ::1, 127.0.0.3].
    t.strictSame(names(x.events), ['connectionAttempt 127.0.0.2', 'connectionAttempt ::1', 'connect', 'end', 'close']);
    const stagger = at(x.events, 'connectionAttempt ::1') - at(x.events, 'connectionAttempt 127.0.0.2');
    t.ok(stagger >= 95 && stagger < 250, `second attempt ${stagger} ms after the first`);
    t.equal(x.remoteAddress, '::1');
    t.equal(x.synSentAfter, 0);
    t.equal(x.ownersAfter, 0);
  });

  t.test('every attempt fails: each failure starts the next at once; node\'s AggregateError', async (t) => {
    const x = r.allFail;
    t.strictSame(names(x.events), ['connectionAttempt 127.0.0.1', 'connectionAttemptFailed 127.0.0.1',
      'connectionAttempt ::1', 'connectionAttemptFailed ::1', 'close']);
    t.ok(at(x.events, 'connectionAttempt ::1') - at(x.events, 'connectionAttempt 127.0.0.1') < 200, 'no wait after a failure');
    t.match(x.error, { name: 'AggregateError', code: 'ECONNREFUSED', isAggregate: true });
    t.equal(x.error.errors.length, 2);
    t.strictSame(x.error, r.allFailNodeSerial, 'the same error as node:net\'s autoSelectFamily');
    t.equal(x.ownersAfter, 0);
  });

  t.test('destroyed while every attempt hangs: all closed, nothing after close', async (t) => {
    const x = r.destroyed;
    t.strictSame(x.events, ['connectionAttempt', 'connectionAttempt', 'close']);
    t.equal(x.synSentWhileHanging, 2, 'both attempts were in flight');
    t.equal(x.synSentAfter, 0);
    t.equal(x.ownersAfter, 0);
  });

  t.test('without the option: node\'s serial autoSelectFamily (the attempt times out, then the next)', async (t) => {
    t.strictSame(names(r.serialDefault.events), ['connectionAttempt 127.0.0.2', 'connectionAttemptTimeout 127.0.0.2',
      'connectionAttempt ::1', 'connect', 'end', 'close']);
  });
}

t.test('happyEyeballs is validated (when a name is to be resolved)', async (t) => {
  const net = require(iocpNetPath) as typeof import('node:net');
  const connect = (value: unknown) => {
    try {
      const s = net.connect({ host: 'race.test', port: 1, happyEyeballs: value, lookup: () => {} } as any);
      s.destroy();
      return 'ok';
    } catch (err: any) {
      return `${err.code}: ${err.message}`;
    }
  };
  t.equal(connect(true), 'ok');
  t.equal(connect(false), 'ok');
  t.equal(connect(300), 'ok');
  t.equal(connect('250'), 'ERR_INVALID_ARG_TYPE: The "options.happyEyeballs" property must be of type number. Received type string (\'250\')');
  t.equal(connect(0), 'ERR_OUT_OF_RANGE: The value of "options.happyEyeballs" is out of range. It must be >= 1 && <= 2147483647. Received 0');
});
