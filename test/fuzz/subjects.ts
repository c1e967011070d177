// The object a fuzz call is made on, brought into its state with the
// implementation under test (a connected socket, a listening server...).
// Errors during this setup are not part of the call's outcome.
import * as path from 'node:path';
import * as nodeNet from 'node:net';
import type { SubjectKind } from './calls';
import type { Fixtures } from './fixtures';
import { attemptStarted, watch } from './settle';

const onceEvent = (emitter: any, ...events: string[]) =>
  new Promise<any>((resolve) => { for (const e of events) emitter.once(e, resolve); });

/** Makes the subject; `helpers` gets what else was made for it (closed with the call). */
export async function makeSubject(net: any, kind: SubjectKind, fx: Fixtures, index: number, helpers: any[]): Promise<any> {
  const quiet = (e: any) => {
    e.on('error', () => {});
    return watch(e);
  };
  const connected = async (target: () => any) => {
    const socket = quiet(target());
    await onceEvent(socket, 'connect', 'close');
    return socket;
  };
  const listening = async (server: any, ...args: unknown[]) => {
    await new Promise<void>((resolve) => server.listen(...args, resolve));
    return server;
  };
  switch (kind) {
    case 'net': return net;
    case 'socket:fresh': return watch(new net.Socket());
    case 'socket:connecting': {
      const socket = quiet(net.connect(fx.livePort, '127.0.0.1'));
      attemptStarted(socket);
      return socket;
    }
    case 'socket:connected': return connected(() => net.connect(fx.livePort, '127.0.0.1'));
    case 'socket:pipe': return connected(() => net.connect(fx.livePipe));
    case 'socket:ended': {
      const socket = await connected(() => net.connect(fx.livePort, '127.0.0.1'));
      socket.end();
      await onceEvent(socket, 'finish', 'close');
      return socket;
    }
    case 'socket:destroyed': {
      const socket = await connected(() => net.connect(fx.livePort, '127.0.0.1'));
      socket.destroy();
      await onceEvent(socket, 'close');
      return socket;
    }
    case 'socket:refused': {
      const socket = quiet(net.connect(fx.closedPort, '127.0.0.1'));
      await onceEvent(socket, 'close');
      return socket;
    }
    case 'socket:accepted': {
      const server = quiet(await listening(net.createServer(), 0, '127.0.0.1'));
      helpers.push(server);
      const accepted = onceEvent(server, 'connection');
      helpers.push(quiet(nodeNet.connect(server.address().port, '127.0.0.1')));
      return quiet(await accepted);
    }
    case 'server:fresh': return net.createServer();
    case 'server:listening': return listening(net.createServer(), 0, '127.0.0.1');
    case 'server:pipe': return listening(net.createServer(), `${fx.pipeDir}${path.sep}server-${index}.sock`);
    case 'server:closed': {
      const server = await listening(net.createServer(), 0, '127.0.0.1');
      await new Promise<void>((resolve) => server.close(() => resolve()));
      return server;
    }
  }
}
