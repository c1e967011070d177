import { features } from './features';

// IP literal checks for the library's own use (address validation, whether a
// host needs a DNS lookup), so loading iocp-net does not load node:net and
// its dependencies (~1.8 MiB of RSS) just for node's isIP. The exported
// isIP/isIPv4/isIPv6 remain node's own functions (see net.ts); test/ip.test.ts
// checks that these agree with them.

// One IPv4 decimal octet, 0-255, no leading zeros.
const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])';
const IPV4 = `${OCTET}(?:\\.${OCTET}){3}`;
const HEXTET = '[0-9a-fA-F]{1,4}';

// `count` hextets separated by ':' (count >= 1).
function hextets(count: number): string {
  return count === 1 ? HEXTET : `(?:${HEXTET}:){${count - 1}}${HEXTET}`;
}

// Every IPv6 text form: eight 16-bit groups, or fewer around one '::' (which
// stands for at least one zero group); the last two groups may be written as
// an IPv4 address. An optional zone ("%eth0") follows.
function ipv6Pattern(): string {
  const forms: string[] = [`${hextets(6)}:(?:${hextets(2)}|${IPV4})`];
  for (let left = 0; left <= 7; left++) {
    const head = left === 0 ? '' : hextets(left);
    const tails = [''];
    for (let right = 1; left + right <= 7; right++) tails.push(hextets(right));
    for (let right = 0; left + right + 2 <= 7; right++) tails.push(right === 0 ? IPV4 : `${hextets(right)}:${IPV4}`);
    forms.push(`${head}::(?:${tails.join('|')})`);
  }
  return `(?:${forms.join('|')})(?:%[0-9a-zA-Z.:-]+)?`;
}

const IPV4_RE = new RegExp(`^${IPV4}$`);
const IPV6_RE = new RegExp(`^${ipv6Pattern()}$`);

// Like node's: the input is turned into a string first.
export function isIPv4(input: unknown): boolean {
  return IPV4_RE.test(`${input}`);
}

export function isIPv6(input: unknown): boolean {
  return IPV6_RE.test(`${input}`);
}

export function isIP(input: unknown): 0 | 4 | 6 {
  if (isIPv4(input)) return 4;
  if (isIPv6(input)) return 6;
  return 0;
}

/**
 * The address as node's uv_ip6_addr reads it: the zone of "fe80::1%eth0" is
 * an interface name, and one that names no interface (a number included)
 * counts as no zone at all. The engine is given that address.
 */
export function zoneAsNodeReadsIt(ip: string): string {
  const percent = ip.indexOf('%');
  if (percent === -1) return ip;
  if (process.platform === 'win32') {
    // Windows' libuv reads the zone with atoi(): its leading number is the
    // interface index, a name ("%lo", "%Ethernet") is 0, and 0 is no zone.
    // (node.exe: fe80::1%1 is ENETUNREACH under Wine, fe80::1%nosuchif the
    // zoneless EINVAL, ::1%lo connects to ::1.)
    const digits = /^[\t\n\v\f\r ]*([+-]?[0-9]+)/.exec(ip.slice(percent + 1));
    // (Out of int's range atoi gives INT_MAX or INT_MIN; the scope is unsigned.)
    const index = digits === null ? 0 : Math.max(-2147483648, Math.min(2147483647, Number(digits[1]))) >>> 0;
    return index === 0 ? ip.slice(0, percent) : `${ip.slice(0, percent)}%${index}`;
  }
  // node:os is loaded only for addresses with a zone.
  const interfaces = (require('os') as typeof import('os')).networkInterfaces();
  return Object.prototype.hasOwnProperty.call(interfaces, ip.slice(percent + 1)) ? ip : ip.slice(0, percent);
}

/**
 * The address a connect is made to, as node's libuv makes it: the zone read
 * as zoneAsNodeReadsIt does, and, from libuv 1.48 (node 22), a link-local
 * address (fe80::/10) left without a zone gets the scope of the first
 * interface that has a link-local address (uv__ipv6_link_local_scope_id);
 * node 20's libuv connects without one (EINVAL).
 */
export function connectAddressAsNodeReadsIt(ip: string): string {
  const address = zoneAsNodeReadsIt(ip);
  if (!features.linkLocalDefaultScope || address.includes('%') || !/^fe[89ab][0-9a-f]:/i.test(address)) return address;
  const interfaces = (require('os') as typeof import('os')).networkInterfaces();
  for (const [name, addresses] of Object.entries(interfaces)) {
    if (addresses?.some((a) => a.family === 'IPv6' && /^fe[89ab][0-9a-f]:/i.test(a.address))) return `${address}%${name}`;
  }
  return address;
}
