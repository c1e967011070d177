// Database clients over iocp-net against real servers started here from
// Debian's packages (test/services.ts): pg through its `stream` option, and
// the Redis clients ioredis and node-redis through the register hook (they
// require net themselves; node-redis is TypeScript compiled to CommonJS with
// `import net from 'node:net'`, which needs the default export).
import t from 'tap';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { Client } from 'pg';
import { startPostgres, startRedis } from './services';
import { iocpNetPath, withTimeout } from './impl';

const register = path.join(path.dirname(iocpNetPath), 'register.js');
const ours = require(iocpNetPath) as typeof import('../lib/net');

t.test('pg: queries over an iocp-net socket given as `stream`', async (t) => {
  const { port, user } = await startPostgres(t);
  const sockets: unknown[] = [];
  const client = new Client({
    host: '127.0.0.1', port, user, database: 'postgres',
    stream: () => {
      const socket = new ours.Socket();
      sockets.push(socket);
      return socket as unknown as import('node:net').Socket;
    },
  });
  await withTimeout(client.connect(), 20_000, 'pg connect', t);
  const sum = await client.query('SELECT $1::int + $2::int AS sum', [2, 3]);
  await client.query('CREATE TEMP TABLE items (id serial PRIMARY KEY, body text)');
  const body = 'y'.repeat(1 << 20);
  await client.query('INSERT INTO items (body) VALUES ($1), ($2)', [body, 'short']);
  const rows = await client.query('SELECT id, length(body) AS length FROM items ORDER BY id');
  const echoed = await client.query('SELECT body FROM items WHERE id = 1');
  const streamIsOurs = (client as any).connection.stream instanceof ours.Socket;
  await client.end();
  t.same(sum.rows, [{ sum: 5 }]);
  t.same(rows.rows, [{ id: 1, length: 1 << 20 }, { id: 2, length: 5 }]);
  t.equal(echoed.rows[0].body, body, '1 MiB text round trip');
  t.equal(sockets.length, 1, 'one connection, made by our stream function');
  t.equal(streamIsOurs, true, 'the connection pg used is an iocp-net Socket');
});

function runRedisClient(library: string, port: number): Promise<any> {
  const fixture = path.join(__dirname, 'fixtures', 'redis-clients.js');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-r', register, fixture, library, String(port), iocpNetPath], { timeout: 60_000 },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout))));
  });
}

const expectedResults = ['hello', true, 1, 2];

t.test('ioredis under the register hook', async (t) => {
  const { port } = await startRedis(t);
  const out = await runRedisClient('ioredis', port);
  t.same(out.results, [...expectedResults, ['OK', '1']]);
  t.equal(out.netIsOurs, true, "ioredis's require('net') is iocp-net");
  t.equal(out.streamIsOurs, true, "ioredis's connection is an iocp-net Socket");
  t.equal(out.ourSockets, 1, 'one iocp-net connection');
  t.equal(out.otherSockets, 0, 'no node:net connection');
});

t.test('node-redis (TypeScript compiled to CommonJS) under the register hook', async (t) => {
  const { port } = await startRedis(t);
  const out = await runRedisClient('redis', port);
  t.same(out.results, [...expectedResults, ['OK', '1']]);
  t.equal(out.netIsOurs, true);
  t.equal(out.ourSockets, 1, 'one iocp-net connection');
  t.equal(out.otherSockets, 0, 'no node:net connection');
});
