// What newer Nodes added to net, on both implementations: each scenario runs
// on node:net and iocp-net and the transcripts must match, so iocp-net has a
// feature exactly where the running node has it (and lacks it, the same way,
// where node lacks it). The checks assert the known values of the node that
// has the feature (verified against node 22.23 and 24.22) or of the one that
// lacks it. BlockList.isBlockList, BlockList#toJSON/fromJSON and
// SocketAddress.parse are given on Node 20 too: there only iocp-net has them,
// and they are checked against node 22's values.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import * as nodeNet from 'node:net';
import { features } from '../lib/features';
import { compare, impls, listen, closeServer, once, delay, errorShape, thrown, Net } from './impl';

const nodeHasBlockListStatics = typeof (nodeNet.BlockList as any).isBlockList === 'function' &&
  typeof (nodeNet.BlockList.prototype as any).toJSON === 'function';

async function blockListStatics(net: Net) {
  const N = net as any;
  const list = new net.BlockList();
  list.addAddress('192.0.2.7');
  list.addSubnet('10.0.0.0', 8);
  list.addRange('2001:db8::1', '2001:db8::9', 'ipv6');
  const copy = new net.BlockList() as any;
  copy.fromJSON(JSON.stringify(list));
  const fromArray = new net.BlockList() as any;
  fromArray.fromJSON(['Address: IPv4 192.0.2.9', 'Subnet: IPv6 2001:db8:1::/48']);
  const parse = (s: string) => {
    const a = N.SocketAddress.parse(s);
    return a === undefined ? 'undefined' : [a.address, a.port, a.family, a instanceof nodeNet.SocketAddress];
  };
  return {
    json: JSON.parse(JSON.stringify(list)),
    copied: copy.rules,
    copyChecks: [copy.check('10.1.2.3'), copy.check('2001:db8::5', 'ipv6'), copy.check('192.0.2.8')],
    fromArray: fromArray.rules,
    badJSON: [thrown(() => copy.fromJSON(5)), thrown(() => copy.fromJSON('{"a":1}')), thrown(() => copy.fromJSON([1]))],
    isBlockList: [N.BlockList.isBlockList(list), N.BlockList.isBlockList(new nodeNet.BlockList()), N.BlockList.isBlockList({}),
      N.BlockList.isBlockList(null), N.BlockList.isBlockList(Object.create(nodeNet.BlockList.prototype))],
    parsed: [parse('127.0.0.1:81'), parse('127.0.0.1:80'), parse('[::1]:8080'), parse('192.0.2.1'), parse('not an address:x'), parse('[::1')],
    parseNonString: thrown(() => N.SocketAddress.parse(5)),
  };
}

const blockListExpected = {
  copyChecks: [true, true, false],
  isBlockList: [true, true, false, false, false],
  // (':80' is http's default port, which URL parsing drops: node's parse gives port 0.)
  parsed: [['127.0.0.1', 81, 'ipv4', true], ['127.0.0.1', 0, 'ipv4', true], ['::1', 8080, 'ipv6', true], ['192.0.2.1', 0, 'ipv4', true], 'undefined', 'undefined'],
};

if (nodeHasBlockListStatics) {
  compare(t, 'BlockList.isBlockList, toJSON/fromJSON, SocketAddress.parse', blockListStatics, (t, r: any) => {
    t.match(r, blockListExpected);
    t.strictSame([...r.json].sort(), ['Address: IPv4 192.0.2.7', 'Range: IPv6 2001:db8::1-2001:db8::9', 'Subnet: IPv4 10.0.0.0/8']);
  });
} else {
  // Node 20: node:net has none of them; ours are node 22's.
  t.test('BlockList.isBlockList, toJSON/fromJSON, SocketAddress.parse on a node without them [iocp-net]', async (t) => {
    const net = impls.find((i) => i.name === 'iocp-net')?.net;
    t.ok(net, 'iocp-net loads');
    if (!net) return;
    const r = await blockListStatics(net);
    t.match(r, blockListExpected);
    t.strictSame(r.json, ['Range: IPv6 2001:db8::1-2001:db8::9', 'Subnet: IPv4 10.0.0.0/8', 'Address: IPv4 192.0.2.7']);
    // Rules come back in the order fromJSON added them (the reverse of the source's).
    t.strictSame(r.copied, [...r.json].reverse());
    t.strictSame(r.fromArray, ['Subnet: IPv6 2001:db8:1::/48', 'Address: IPv4 192.0.2.9']);
    t.strictSame(r.badJSON.map((e: any) => e?.code), ['ERR_INVALID_ARG_TYPE', 'ERR_INVALID_ARG_TYPE', 'ERR_INVALID_ARG_TYPE']);
    t.equal((r.parseNonString as any)?.code, 'ERR_INVALID_ARG_TYPE');
  });
}

compare(t, 'listen({ reusePort }): two servers on one port where node has it (22.12), EADDRINUSE where not', async (net) => {
  const first = net.createServer();
  const port = await new Promise<number>((resolve, reject) => {
    first.once('error', reject);
    first.listen({ port: 0, host: '127.0.0.1', reusePort: true } as any, () => resolve((first.address() as any).port));
  });
  const second = net.createServer();
  const outcome = await new Promise<string>((resolve) => {
    second.once('error', (e: any) => resolve(`error ${e.code}`));
    second.listen({ port, host: '127.0.0.1', reusePort: true } as any, () => resolve('listening'));
  });
  // Both accept connections for that port.
  const connections = await new Promise<number>((resolve) => {
    let n = 0;
    const count = () => { n++; };
    first.on('connection', (s) => { count(); s.destroy(); });
    second.on('connection', (s) => { count(); s.destroy(); });
    let done = 0;
    for (let i = 0; i < 20; i++) {
      const c = net.connect(port, '127.0.0.1');
      c.on('error', () => {});
      c.on('close', () => { if (++done === 20) setTimeout(() => resolve(n), 20); });
    }
  });
  const third = net.createServer();
  const withoutOption = await new Promise<string>((resolve) => {
    third.once('error', (e: any) => resolve(`error ${e.code}`));
    third.listen({ port, host: '127.0.0.1' }, () => resolve('listening'));
  });
  if (third.listening) await closeServer(third);
  if (second.listening) await closeServer(second);
  await closeServer(first);
  return { outcome, connections, withoutOption };
}, (t, r) => t.strictSame(r, {
  outcome: features.reusePort ? 'listening' : 'error EADDRINUSE', connections: 20, withoutOption: 'error EADDRINUSE',
}));

compare(t, 'maxConnections = 0 drops every connection (node 21) or none (node 20)', async (net) => {
  const server = net.createServer((s) => { events.push('connection'); s.end(); });
  const events: string[] = [];
  server.maxConnections = 0;
  server.on('drop', (data: any) => events.push(`drop ${data?.remoteAddress}`));
  const port = await listen(server);
  const client = net.connect(port, '127.0.0.1');
  client.on('error', (e: any) => events.push(`client error ${e.code}`));
  await once(client, 'close');
  await closeServer(server);
  return events;
}, (t, r) => t.strictSame(r, features.maxConnectionsZeroDrops ? ['drop 127.0.0.1'] : ['connection']));

/** A BlockList of node's own class blocking 127.0.0.1 (node's instances must be accepted by both). */
function blocking(address = '127.0.0.1'): nodeNet.BlockList {
  const list = new nodeNet.BlockList();
  list.addAddress(address);
  return list;
}

compare(t, 'connect({ blockList }): ERR_IP_BLOCKED after connectionAttempt (node 22.13)', async (net) => {
  const server = net.createServer((s) => s.end('hi'));
  const port = await listen(server);
  const events: string[] = [];
  const client = net.connect({ port, host: '127.0.0.1', blockList: blocking() } as any);
  client.resume();
  client.on('connectionAttempt', (a, p, f) => events.push(`attempt ${a} ${p === port} ${f}`));
  client.on('connect', () => events.push('connect'));
  client.on('error', (e) => events.push(`error ${JSON.stringify(errorShape(e))}`));
  await once(client, 'close');
  // Another address is not blocked.
  const allowed = net.connect({ port, host: '127.0.0.1', blockList: blocking('192.0.2.1') } as any);
  let text = '';
  allowed.setEncoding('utf8');
  allowed.on('data', (d) => (text += d));
  await once(allowed, 'close');
  let made: import('node:net').Socket | undefined;
  const invalid = thrown(() => (made = net.connect({ port, host: '127.0.0.1', blockList: { check: () => true } } as any)));
  made?.destroy(); // (node 20 takes it: the option does not exist there)
  await delay(20);
  await closeServer(server);
  return { events, text, invalid, ownProperty: Object.prototype.hasOwnProperty.call(client, 'blockList') };
}, (t, r: any) => {
  if (features.blockList) {
    t.equal(r.events[0], 'attempt 127.0.0.1 true 4');
    t.match(r.events[1], /"code":"ERR_IP_BLOCKED".*"message":"IP\(127\.0\.0\.1\) is blocked by net\.BlockList"/);
    t.equal(r.events.length, 2);
    t.match(r.invalid, { code: 'ERR_INVALID_ARG_TYPE', message: /options\.blockList" property must be an net\.BlockList/ });
    t.equal(r.ownProperty, true);
  } else {
    t.strictSame(r.events, ['attempt 127.0.0.1 true 4', 'connect']);
    t.equal(r.invalid, undefined);
  }
  t.equal(r.text, 'hi');
});

compare(t, 'connect({ blockList, autoSelectFamily }) to localhost: blocked attempts fail, the last error says why', async (net) => {
  const server = net.createServer((s) => s.end('hi'));
  const port = await listen(server);
  const list = blocking();
  list.addAddress('::1', 'ipv6');
  const events: string[] = [];
  const client = net.connect({ port, host: 'localhost', autoSelectFamily: true, blockList: list } as any);
  client.resume();
  client.on('connectionAttemptFailed', (a, _p, f, e: any) => events.push(`failed ${a} ${f} ${e.code}`));
  client.on('connect', () => events.push('connect'));
  client.on('error', (e: any) => events.push(`error ${e.code} ${(e.errors ?? []).map((x: any) => x.code).join(',')}`));
  await once(client, 'close');
  await closeServer(server);
  return events.sort();
}, (t, r) => {
  if (features.blockList) t.ok(r.every((e) => !e.startsWith('connect')) && r.some((e) => /ERR_IP_BLOCKED/.test(e)), 'never connects');
  else t.ok(r.includes('connect'));
});

compare(t, 'Server({ blockList }): a blocked peer is closed with no event (node 22.13)', async (net) => {
  const events: string[] = [];
  const server = net.createServer({ blockList: blocking() } as any, (s) => { events.push('connection'); s.end('hi'); });
  server.on('drop', () => events.push('drop'));
  const port = await listen(server);
  const client = net.connect(port, '127.0.0.1');
  let text = '';
  client.setEncoding('utf8');
  client.on('data', (d) => (text += d));
  client.on('error', (e: any) => events.push(`client error ${e.code}`));
  client.on('end', () => events.push('client end'));
  await once(client, 'close');
  const invalid = thrown(() => net.createServer({ blockList: [] } as any));
  await closeServer(server);
  return { events, text, invalid: (invalid as any)?.code ?? null };
}, (t, r) => t.strictSame(r, features.blockList
  ? { events: ['client end'], text: '', invalid: 'ERR_INVALID_ARG_TYPE' }
  : { events: ['connection', 'client end'], text: 'hi', invalid: null }));

/** The keepalive timer `ss` shows for the client end of `port` (its seconds left), or ''. */
function keepaliveTimer(port: number): string {
  // Windows shows no socket's keepalive timer to another process: the
  // returns and node.exe's transcript are what is compared there.
  if (process.platform === 'win32') return 'not shown on Windows';
  const out = execFileSync('ss', ['-tnoH', 'state', 'established', `( dport = :${port} )`], { encoding: 'utf8' });
  const m = /timer:\(keepalive,([^,]+),/.exec(out);
  if (!m) return '';
  // e.g. "59sec", "1min58sec", "119min", "2h"
  const unit: Record<string, number> = { h: 3600, min: 60, sec: 1, ms: 0.001 };
  let secs = 0;
  for (const [, n, u] of m[1].matchAll(/([0-9.]+)(h|min|sec|ms)/g)) secs += Number(n) * unit[u];
  return secs > 1000 ? 'the kernel default' : secs > 100 ? 'about 120 s' : secs > 50 ? 'about 60 s' : `${secs} s`;
}

compare(t, 'setKeepAlive(enable, delay[, interval, count]) and its options object (node 24.19)', async (net) => {
  const server = net.createServer((s) => s.on('error', () => {}));
  const port = await listen(server);
  const client = net.connect(port, '127.0.0.1');
  await once(client, 'connect');
  const S = client as any;
  const returns = [
    S.setKeepAlive(true, 60_000) === client,
    S.setKeepAlive(true, 60_000, 5_000, 3) === client,
    S.setKeepAlive(true, 60_000, 'x', -1) === client, // not Uint32: node's binding uses 1 s and 10
    S.setKeepAlive(true, 60_000, 0, 0) === client, // EINVAL from the kernel, ignored as node ignores it
  ];
  const afterPositional = keepaliveTimer(port);
  S.setKeepAlive(false);
  const afterOff = keepaliveTimer(port);
  client.destroy();
  await once(client, 'close');
  // The object form on a fresh connection. Before node 24.19 the object is
  // only a truthy `enable`, with no delay.
  const second = net.connect(port, '127.0.0.1') as any;
  await once(second, 'connect');
  second.setKeepAlive({ enable: true, initialDelay: 120_000, interval: 2_000, count: 4 });
  const afterObject = keepaliveTimer(port);
  second.destroy();
  await closeServer(server);
  return { returns, afterPositional, afterObject, afterOff };
}, (t, r) => {
  t.strictSame(r.returns, [true, true, true, true]);
  if (process.platform === 'win32') return;
  t.equal(r.afterPositional, 'about 60 s');
  // (Before 24.19 the object is only a truthy `enable`: what the kernel keeps then is compared with node's alone.)
  if (features.keepAliveInterval) t.equal(r.afterObject, 'about 120 s');
  else t.not(r.afterObject, 'about 120 s');
  t.equal(r.afterOff, '');
});

compare(t, 'setTypeOfService / getTypeOfService and the typeOfService option (node 24.15)', async (net) => {
  const S = net.Socket.prototype as any;
  const present = [typeof S.setTypeOfService, typeof S.getTypeOfService];
  if (present[0] !== 'function') {
    // No such option either: it is not read (no validation error).
    return { present, option: thrown(() => new net.Socket({ typeOfService: 300 } as any)) ?? 'accepted' };
  }
  const out: Record<string, unknown> = { present };
  const fresh = new net.Socket() as any;
  out.fresh = [fresh.getTypeOfService(), fresh.setTypeOfService(0x10) === fresh, fresh.getTypeOfService()];
  out.badValues = [256, -1, 1.5, NaN, '16'].map((v) => (thrown(() => new net.Socket().setTypeOfService(v)) as any)?.code);
  out.badOption = (thrown(() => new net.Socket({ typeOfService: 256 } as any)) as any)?.message;
  const server = net.createServer((s) => s.on('error', () => {}));
  const port = await listen(server);
  // connect() made the handle, but its socket comes with the attempt: EBADF.
  const connecting = net.connect(port, '127.0.0.1') as any;
  out.beforeAttempt = [thrown(() => connecting.setTypeOfService(0x20)), thrown(() => connecting.getTypeOfService())]
    .map((e: any) => e && `${e.code} ${e.syscall} ${e.message}`);
  await once(connecting, 'connect');
  out.connected = [connecting.getTypeOfService(), connecting.setTypeOfService(0x48) === connecting, connecting.getTypeOfService()];
  connecting.destroy();
  out.afterDestroy = [connecting.getTypeOfService(), connecting.setTypeOfService(0x08) === connecting, connecting.getTypeOfService()];
  const withOption = net.connect({ port, host: '127.0.0.1', typeOfService: 0x28 } as any) as any;
  await once(withOption, 'connect');
  out.option = withOption.getTypeOfService();
  withOption.destroy();
  await closeServer(server);
  return out;
}, (t, r: any) => {
  if (!features.typeOfService) {
    t.strictSame(r, { present: ['undefined', 'undefined'], option: 'accepted' });
    return;
  }
  t.strictSame(r.present, ['function', 'function']);
  t.strictSame(r.fresh, [0, true, 16]);
  t.strictSame(r.badValues, ['ERR_OUT_OF_RANGE', 'ERR_OUT_OF_RANGE', 'ERR_OUT_OF_RANGE', 'ERR_INVALID_ARG_TYPE', 'ERR_INVALID_ARG_TYPE']);
  t.match(r.badOption, /options\.typeOfService/);
  t.strictSame(r.beforeAttempt, ['EBADF setTypeOfService setTypeOfService EBADF', 'EBADF getTypeOfService getTypeOfService EBADF']);
  t.strictSame(r.connected, [0x20, true, 0x48]);
  // (destroyed: no handle, so the value kept, as on a fresh socket)
  t.strictSame(r.afterDestroy, [0x48, true, 0x08]);
  t.equal(r.option, 0x28);
});

compare(t, "'net.client.socket' for Socket#connect too (node 22.17), not only net.connect", async (net) => {
  const dc = await import('node:diagnostics_channel');
  const seen: string[] = [];
  const onMessage = (message: any) => seen.push(message.socket instanceof net.Socket ? 'socket' : typeof message.socket);
  dc.subscribe('net.client.socket', onMessage);
  const server = net.createServer((s) => s.end());
  const port = await listen(server);
  try {
    const a = net.connect(port, '127.0.0.1');
    a.resume();
    seen.push('after net.connect');
    const b = new net.Socket();
    b.resume();
    b.connect(port, '127.0.0.1');
    seen.push('after socket.connect');
    await Promise.all([once(a, 'close'), once(b, 'close')]);
  } finally {
    dc.unsubscribe('net.client.socket', onMessage);
  }
  await closeServer(server);
  return seen;
}, (t, r) => t.strictSame(r, features.clientSocketChannelOnConnect
  ? ['socket', 'after net.connect', 'socket', 'after socket.connect']
  : ['socket', 'after net.connect', 'after socket.connect']));
