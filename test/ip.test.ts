// lib/ip.ts (the library's own IP literal checks) against node's net.isIP,
// isIPv4 and isIPv6: hand-picked edge cases plus generated strings, with a
// fixed seed so a failure replays.
import t from 'tap';
import * as net from 'node:net';
import * as ip from '../lib/ip';

const edgeCases: unknown[] = [
  '', '1.2.3.4', '255.255.255.255', '256.1.1.1', '01.2.3.4', '1.2.3', '1.2.3.4.5', '0.0.0.0', ' 1.2.3.4', '1.2.3.4 ',
  '::', '::1', '1::', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '1::8',
  '1:2:3:4:5:6::8', '::ffff:1.2.3.4', '1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:7:1.2.3.4', '::1.2.3.4', '1::1.2.3.4',
  '1:2:3:4:5::1.2.3.4', '1:2:3:4:5:6::1.2.3.4', 'fe80::1%eth0', 'fe80::1%', 'fe80::1%a.b-c:d', 'FE80::ABCD', '12345::',
  ':1', '1:', ':::', '1::2::3', 'g::1', '::1.2.3.4%x', '1.2.3.4%x', 'localhost',
  undefined, null, 1234, {}, [], ['1.2.3.4'], { toString: () => '::1' },
];

function same(input: unknown): boolean {
  return ip.isIP(input) === net.isIP(input as string) && ip.isIPv4(input) === net.isIPv4(input as string) &&
    ip.isIPv6(input) === net.isIPv6(input as string);
}

// Deterministic LCG: the same strings every run.
function generator(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state % n;
  };
}

t.test('edge cases agree with node:net', async (t) => {
  const differing = edgeCases.filter((input) => !same(input)).map((input) => String(input));
  t.strictSame(differing, []);
  t.equal(ip.isIP('::ffff:1.2.3.4'), 6);
  t.equal(ip.isIP('1.2.3.4'), 4);
  t.equal(ip.isIP('1.2.3.04'), 0);
});

t.test('200,000 random strings over the address alphabet agree with node:net', async (t) => {
  const next = generator(12345);
  const alphabet = '0123456789abcdefABCDEF:.%g-x';
  const differing: string[] = [];
  for (let i = 0; i < 200_000; i++) {
    let s = '';
    const length = 1 + next(24);
    for (let j = 0; j < length; j++) s += alphabet[next(alphabet.length)];
    if (!same(s) && differing.length < 10) differing.push(s);
  }
  t.strictSame(differing, []);
});

t.test('100,000 generated IPv6-shaped strings agree with node:net (many of them valid)', async (t) => {
  const next = generator(777);
  const differing: string[] = [];
  let valid = 0;
  for (let i = 0; i < 100_000; i++) {
    const groups: string[] = [];
    const count = next(10);
    for (let j = 0; j < count; j++) groups.push(next(5) === 0 ? '' : next(70000).toString(16));
    let s = groups.join(':');
    if (next(4) === 0) s += (s ? ':' : '') + [next(300), next(300), next(300), next(300)].join('.');
    if (next(6) === 0) s += `%eth${next(3)}`;
    if (net.isIP(s) !== 0) valid++;
    if (!same(s) && differing.length < 10) differing.push(s);
  }
  t.strictSame(differing, []);
  t.ok(valid > 5000, `the generator reaches valid addresses (${valid})`);
});
