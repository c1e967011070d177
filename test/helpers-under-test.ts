// The package's helpers as the helper tests load them (from the build under
// test, as impl.ts loads net), and counters that tell which implementation
// each connection of a round trip used.
import * as dc from 'node:diagnostics_channel';
import * as nodeNet from 'node:net';
import * as path from 'node:path';
import type { Test } from 'tap';
import { iocpNetPath, once } from './impl';

const dist = path.dirname(iocpNetPath);
export const ours = require(iocpNetPath) as typeof import('../lib/net');
export const { serve } = require(path.join(dist, 'serve.js')) as typeof import('../lib/serve');
export const { HttpAgent, HttpsAgent } = require(path.join(dist, 'agent.js')) as typeof import('../lib/agent');
export const { connector } = require(path.join(dist, 'undici.js')) as typeof import('../lib/undici');

export interface Counts { ours: number; node: number }

/** Client connections by implementation: node:net and iocp-net both publish every connect() on 'net.client.socket'. */
export function countClientSockets(t: Test): Counts {
  const counts = { ours: 0, node: 0 };
  const onSocket = ({ socket }: any) => (socket instanceof ours.Socket ? counts.ours++ : counts.node++);
  dc.subscribe('net.client.socket', onSocket);
  t.teardown(() => dc.unsubscribe('net.client.socket', onSocket));
  return counts;
}

/** A server's connections by implementation ('connection' gets the raw socket, TLS servers' too). */
export function countServerSockets(server: nodeNet.Server): Counts {
  const counts = { ours: 0, node: 0 };
  server.on('connection', (socket) => (socket instanceof ours.Socket ? counts.ours++ : counts.node++));
  return counts;
}

/** serve(server).listen on 127.0.0.1, port 0; resolves with the port. */
export async function listenServed(server: nodeNet.Server): Promise<number> {
  serve(server).listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as nodeNet.AddressInfo).port;
}

export const closeServer = (server: nodeNet.Server) => new Promise<void>((resolve) => server.close(() => resolve()));
