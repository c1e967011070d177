// Package entry: every export of node:net, with Socket/Server running on the
// completion engine. BlockList, SocketAddress and the isIP family are node's own.
import type * as nodeNet from 'net';
import * as dc from 'diagnostics_channel';
import { Socket as SocketClass, initLegacySocket } from './socket';
import { Server as ServerClass, initLegacyServer } from './server';
import type { ServerOpts } from './server';
import type { SocketConstructorOpts } from './socket';
import { callableClass } from './callable';
import { normalizeArgs } from './args';
import { getEngine } from './engine';
import { features } from './features';
import { BlockListExport, SocketAddressExport } from './blocklist';
import {
  getDefaultAutoSelectFamily, setDefaultAutoSelectFamily,
  getDefaultAutoSelectFamilyAttemptTimeout, setDefaultAutoSelectFamilyAttemptTimeout,
} from './lookup';
import type { HappyEyeballsOpts } from './happy-eyeballs';

const netClientSocketChannel = dc.channel('net.client.socket');

// `new Socket()` constructs the class itself. A subclass (`class X extends
// net.Socket`) is initialised on the object V8 made for it. Constructing
// through Reflect.construct with this function as new.target would give every
// object its own chain of hidden classes (V8 caches the instance layout only
// for class constructors): ~1.3 KiB more heap per socket.
export const Socket = callableClass(SocketClass, function Socket(this: unknown, ...args: any[]): unknown {
  if (new.target === Socket) return new SocketClass(...args);
  if (new.target) {
    initLegacySocket(this as SocketClass, args[0]);
    return this;
  }
  // Pre-class inheritance: util.inherits(MySocket, net.Socket); net.Socket.call(this, options).
  if (this instanceof SocketClass) {
    initLegacySocket(this, args[0]);
    return this;
  }
  return new SocketClass(...args);
});
export type Socket = SocketClass;
export const Stream = Socket;
export type Stream = SocketClass;
export const Server = callableClass(ServerClass, function Server(this: unknown, ...args: any[]): unknown {
  if (new.target === Server) return new ServerClass(...args);
  if (new.target) {
    initLegacyServer(this as ServerClass, args[0], args[1]);
    return this;
  }
  if (this instanceof ServerClass) {
    initLegacyServer(this, args[0], args[1]);
    return this;
  }
  return new ServerClass(...args);
});
export type Server = ServerClass;

export type { SocketConstructorOpts, ServerOpts, HappyEyeballsOpts };
export type {
  AddressInfo, ListenOptions, SocketConnectOpts, TcpSocketConnectOpts, IpcSocketConnectOpts,
  NetConnectOpts, TcpNetConnectOpts, IpcNetConnectOpts, LookupFunction, OnReadOpts, SocketReadyState,
  SocketAddressInitOptions, IPVersion,
} from 'net';

// node's own objects, read from node:net on first use: node:net and what it
// loads cost ~1.8 MiB of RSS, which a program that never touches them (a
// server on iocp-net) should not pay.
export declare const BlockList: typeof nodeNet.BlockList;
export declare const SocketAddress: typeof nodeNet.SocketAddress;
export declare const isIP: typeof nodeNet.isIP;
export declare const isIPv4: typeof nodeNet.isIPv4;
export declare const isIPv6: typeof nodeNet.isIPv6;
/** Creates a node TCP/pipe handle; kept for surface parity (node's own function). */
export declare const _createServerHandle: unknown;
/** node's own net.BoundSocket (node 24.19), where the running node has it; our Server and Socket do not adopt one yet. */
export declare const BoundSocket: unknown;
for (const name of ['isIP', 'isIPv4', 'isIPv6', '_createServerHandle']) {
  Object.defineProperty(exports, name, { enumerable: true, get: () => require('net')[name] });
}
// (With what a newer node added where this one lacks it: lib/blocklist.ts.)
Object.defineProperty(exports, 'BlockList', { enumerable: true, get: BlockListExport });
Object.defineProperty(exports, 'SocketAddress', { enumerable: true, get: SocketAddressExport });
if (features.boundSocket) {
  for (const name of ['BoundSocket', '_TransferredBoundSocket']) {
    Object.defineProperty(exports, name, { enumerable: true, get: () => require('net')[name] });
  }
}
export {
  getDefaultAutoSelectFamily, setDefaultAutoSelectFamily,
  getDefaultAutoSelectFamilyAttemptTimeout, setDefaultAutoSelectFamilyAttemptTimeout,
};

export function createServer(connectionListener?: (socket: SocketClass) => void): ServerClass;
export function createServer(options?: ServerOpts, connectionListener?: (socket: SocketClass) => void): ServerClass;
export function createServer(options?: any, connectionListener?: any): ServerClass {
  return new ServerClass(options, connectionListener);
}

export function connect(options: nodeNet.NetConnectOpts & HappyEyeballsOpts, connectionListener?: () => void): SocketClass;
export function connect(port: number, host?: string, connectionListener?: () => void): SocketClass;
export function connect(path: string, connectionListener?: () => void): SocketClass;
export function connect(...args: any[]): SocketClass {
  const normalized = normalizeArgs(args);
  const options = normalized[0];
  const socket = new SocketClass(options);
  // (From node 22.17 Socket#connect publishes it, for every socket.)
  if (!features.clientSocketChannelOnConnect && netClientSocketChannel.hasSubscribers) netClientSocketChannel.publish({ socket });
  if (options.timeout) socket.setTimeout(options.timeout);
  return socket.connect(normalized as any);
}
export const createConnection = connect;

/** node's internal argument normaliser, exported by node:net too. */
export const _normalizeArgs = normalizeArgs;

let warnSimultaneousAccepts = true;
/** Deprecated no-op (DEP0121), as in node. */
export function _setSimultaneousAccepts(_handle?: unknown): void {
  if (warnSimultaneousAccepts) {
    process.emitWarning('net._setSimultaneousAccepts() is deprecated and will be removed.',
                        'DeprecationWarning', 'DEP0121');
    warnSimultaneousAccepts = false;
  }
}

// Removed in node 24 (DEP0121 end of life).
if (features.noSimultaneousAccepts) delete (exports as any)._setSimultaneousAccepts;

/**
 * The engine backend this thread runs on: 'uring', 'epoll' or 'iocp' ('none'
 * when none could start). Reading it starts the engine. Not enumerable, so
 * that Object.keys() lists what node:net's lists.
 */
export declare const backend: string;
Object.defineProperty(exports, 'backend', { enumerable: false, get: () => getEngine().backend });

// `import net from 'iocp-net'` compiled to CommonJS (TypeScript's
// esModuleInterop, Babel) reads `require('iocp-net').default`: this module
// says `__esModule`, so the compilers do not wrap it as they wrap node:net.
// Not enumerable, so that Object.keys() lists what node:net's lists.
const moduleExports: typeof import('./net') = exports;
export default moduleExports;
Object.defineProperty(exports, 'default', { enumerable: false });
