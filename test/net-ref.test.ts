// ref()/unref(): whether a socket or server keeps the process alive, checked
// with child processes (the child loads the implementation under test; the
// peer in this process is node:net so only the child's behaviour varies).
import t from 'tap';
import * as net from 'node:net';
import { compare, runChild, mapLimit, listen, closeServer } from './impl';

// How long after its first output a child that should stay alive is given
// before we conclude it does (children that exit do so within milliseconds).
const ALIVE_MS = 1500;

const cases: Record<string, string> = {
  'connected socket, unref()': `
    const s = net.connect(PORT, '127.0.0.1', () => { console.log('connected'); s.unref(); });`,
  'connected + paused socket, unref()': `
    const s = net.connect(PORT, '127.0.0.1', () => { s.pause(); s.unref(); console.log('paused'); });`,
  'reading socket (data flowing), unref()': `
    const s = net.connect(PORT, '127.0.0.1', () => { s.on('data', () => {}); s.unref(); console.log('reading'); });`,
  'unref() before connect': `
    const s = net.connect(PORT, '127.0.0.1'); s.unref(); s.on('connect', () => console.log('connected'));`,
  'connected socket, unref() then ref()': `
    const s = net.connect(PORT, '127.0.0.1', () => { s.unref(); s.ref(); console.log('ref again'); });`,
  'connected socket, ref-ed (default)': `
    const s = net.connect(PORT, '127.0.0.1', () => console.log('connected'));`,
  'socket with a write pending, unref()': `
    const s = net.connect(PORT, '127.0.0.1', () => { s.write(Buffer.alloc(8 << 20)); s.unref(); console.log('writing'); });`,
  'listening server, unref()': `
    const srv = net.createServer(); srv.listen(0, '127.0.0.1', () => { srv.unref(); console.log('listening'); });`,
  'unref() before listen': `
    const srv = net.createServer(); srv.unref(); srv.listen(0, '127.0.0.1', () => console.log('listening'));`,
  'listening server, ref-ed': `
    const srv = net.createServer(); srv.listen(0, '127.0.0.1', () => console.log('listening'));`,
  'server unref() with an accepted ref-ed connection': `
    const srv = net.createServer((c) => console.log('accepted'));
    srv.listen(0, '127.0.0.1', () => { srv.unref(); net.connect(srv.address().port, '127.0.0.1', function () { this.unref(); }); });`,
  'unref() return value': `
    const s = new net.Socket(); const srv = net.createServer();
    console.log(s.unref() === s, s.ref() === s, srv.unref() === srv, srv.ref() === srv); s.unref();`,
};

compare(t, 'ref/unref and process lifetime', async (_net, impl) => {
  // The peer: accepts and keeps connections open, never writes, never reads.
  const peers: net.Socket[] = [];
  const server = net.createServer((c) => { c.pause(); peers.push(c); c.on('error', () => {}); });
  const port = await listen(server);
  const entries = Object.entries(cases);
  const results = await mapLimit(entries, 4, async ([label, body]) => {
    const r = await runChild(impl, body.replace(/PORT/g, String(port)), ALIVE_MS);
    return [label, { exitedByItself: !r.timedOut, code: r.code, stdout: r.stdout.trim(), stderr: r.stderr.trim().split('\n')[0] }] as const;
  });
  for (const p of peers) p.destroy();
  await closeServer(server);
  return Object.fromEntries(results);
}, (t, r: any) => {
  const exits = (label: string, expected: boolean) => {
    const one = r[label];
    // The child must have reached its marker line, and a child that "exits" must exit cleanly (not crash).
    t.not(one.stdout, '', `${label}: child reached its marker (stderr: ${one.stderr})`);
    t.equal(one.exitedByItself, expected, `${label}: ${expected ? 'exits' : 'stays alive'}`);
    if (expected) t.equal(one.code, 0, `${label}: exit code 0`);
  };
  exits('connected socket, unref()', true);
  exits('connected + paused socket, unref()', true);
  exits('reading socket (data flowing), unref()', true);
  exits('unref() before connect', true);
  exits('connected socket, unref() then ref()', false);
  exits("connected socket, ref-ed (default)", false);
  exits('listening server, unref()', true);
  exits('unref() before listen', true);
  exits("listening server, ref-ed", false);
  // An in-flight write request keeps the loop alive even on an unref'd socket (libuv semantics).
  exits('socket with a write pending, unref()', false);
  // Accepted connections are ref'd on their own, whatever the server's state.
  exits('server unref() with an accepted ref-ed connection', false);
  t.equal(r['unref() return value'].stdout, 'true true true true');
  t.equal(r['connected socket, unref()'].stdout, 'connected');
  t.equal(r['connected socket, unref()'].code, 0);
}, 28_000);
