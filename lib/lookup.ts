// Host name resolution for Socket#connect and the autoSelectFamily ("Happy
// Eyeballs") connection attempts, following node v20's lookupAndConnect /
// internalConnectMultiple: addresses sorted alternating families, one attempt
// in flight at a time, the next one started when the attempt timer fires.
import type * as dnsModule from 'dns';
import { getSystemErrorName } from 'util';
import { getEngine, CloseMode } from './engine';
import type { AddressInfo, HandleOwner } from './engine';
import { codes, ExceptionWithHostPort, NodeAggregateError } from './errors';
import { validateBoolean, validateFunction, validateInt32, validateNumber, validatePort, validateString, validateStringWithoutNullBytes } from './validate';
import { features } from './features';
import { isBlocked } from './socket_options';
import { UV_EADDRINUSE, UV_ECANCELED, UV_ETIMEDOUT } from './uv';
import { kInternalConnect, kAdoptHandle, kAfterConnect, kConnectFailed, kAsyncResource, kAbortPendingAttempt, kUnref } from './symbols';
import { bindPort } from './args';
import { connectAddressAsNodeReadsIt, isIP, zoneAsNodeReadsIt } from './ip';
import type { Socket, ConnectRequest } from './socket';
import { connectionAttemptDelay, raceConnect } from './happy-eyeballs';

const { ERR_INVALID_ADDRESS_FAMILY, ERR_INVALID_ARG_TYPE, ERR_INVALID_IP_ADDRESS, ERR_IP_BLOCKED, ERR_SOCKET_CONNECTION_TIMEOUT } = codes;

const isWindows = process.platform === 'win32';

// node:dns is loaded on the first lookup, as node:net does.
let dnsModuleLoaded: typeof dnsModule | undefined;
function dns(): typeof dnsModule {
  return (dnsModuleLoaded ??= require('dns') as typeof dnsModule);
}

// Start from node's own defaults so --network-family-autoselection[-attempt-timeout]
// apply; read when first needed (reading them loads node:net).
let autoSelectFamilyDefault: boolean | undefined;
let autoSelectFamilyAttemptTimeoutDefault: number | undefined;

export function getDefaultAutoSelectFamily(): boolean {
  return (autoSelectFamilyDefault ??= require('net').getDefaultAutoSelectFamily() as boolean);
}

export function setDefaultAutoSelectFamily(value: boolean): void {
  validateBoolean(value, 'value');
  autoSelectFamilyDefault = value;
}

export function getDefaultAutoSelectFamilyAttemptTimeout(): number {
  return (autoSelectFamilyAttemptTimeoutDefault ??= require('net').getDefaultAutoSelectFamilyAttemptTimeout() as number);
}

export function setDefaultAutoSelectFamilyAttemptTimeout(value: number): void {
  validateInt32(value, 'value', 1);
  if (value < 10) value = 10;
  autoSelectFamilyAttemptTimeoutDefault = value;
}

// Errors of connect(2) on a non-blocking TCP socket that come back at once
// (libuv returns them from uv_tcp_connect: node's "synchronous" connect
// errors), as opposed to those reported once the handshake failed
// (ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH...). The engine reports every
// connect result as a completion, so the errno tells them apart.
const immediateConnectErrors = new Set([
  'ENETUNREACH', 'EACCES', 'EPERM', 'EADDRNOTAVAIL', 'EADDRINUSE', 'EAFNOSUPPORT', 'EINVAL',
  'EISCONN', 'EALREADY', 'ENOBUFS', 'ENOMEM', 'EBADF', 'ENOTSOCK', 'EPROTOTYPE',
]);

export function isImmediateConnectError(status: number): boolean {
  return immediateConnectErrors.has(getSystemErrorName(status));
}

/** node's error for a synchronous connect failure: the handle's local address in the message, no localAddress/localPort properties. */
export function immediateConnectError(status: number, address: string, port: number | undefined,
                                      local: Partial<AddressInfo>): Error {
  return new ExceptionWithHostPort(status, 'connect', address, port, `${local.address}:${local.port}`);
}

/**
 * node's checkBindError: a local port other than the one the handle got
 * (0.5 binds port 0) is EADDRINUSE. 0 when it is fine.
 */
export function localBindError(handle: number, localPort: number | undefined): number {
  if (!(localPort! > 0)) return 0;
  const bound: Partial<AddressInfo> = {};
  getEngine().sockname(handle, bound);
  return bound.port === localPort ? 0 : UV_EADDRINUSE;
}

function socketToDnsFamily(family: unknown): unknown {
  switch (family) {
    case 'IPv4': return 4;
    case 'IPv6': return 6;
  }
  return family;
}

function connectErrorNT(self: Socket, err: Error): void {
  self.destroy(err);
}

function inScope(self: Socket, fn: () => void): void {
  self[kAsyncResource]!.runInAsyncScope(fn);
}

type LookupFn = (hostname: string, options: any, callback: (...args: any[]) => void) => void;

export function lookupAndConnect(self: Socket, options: Record<string, any>): void {
  const { localAddress, localPort } = options;
  const host: string = options.host || 'localhost';
  const rawPort: unknown = options.port;
  let { autoSelectFamilyAttemptTimeout, autoSelectFamily } = options;

  if (features.hostWithoutNullBytes) validateStringWithoutNullBytes(host, 'options.host');
  else if (features.connectValidatesHost) validateString(host, 'options.host');
  if (localAddress && !isIP(localAddress)) throw new ERR_INVALID_IP_ADDRESS(localAddress);
  if (localPort) validateNumber(localPort, 'options.localPort');
  if (typeof rawPort !== 'undefined') {
    if (typeof rawPort !== 'number' && typeof rawPort !== 'string') {
      throw new ERR_INVALID_ARG_TYPE('options.port', ['number', 'string'], rawPort);
    }
    validatePort(rawPort);
  }
  const port: number = (rawPort as any) | 0;

  if (autoSelectFamily != null) validateBoolean(autoSelectFamily, 'options.autoSelectFamily');
  else autoSelectFamily = getDefaultAutoSelectFamily();

  if (autoSelectFamilyAttemptTimeout != null) {
    validateInt32(autoSelectFamilyAttemptTimeout, 'options.autoSelectFamilyAttemptTimeout', 1);
    if (autoSelectFamilyAttemptTimeout < 10) autoSelectFamilyAttemptTimeout = 10;
  } else {
    autoSelectFamilyAttemptTimeout = getDefaultAutoSelectFamilyAttemptTimeout();
  }

  // An IP literal needs no lookup; connect on the next tick like node.
  const addressType = isIP(host);
  if (addressType) {
    inScope(self, () => process.nextTick(() => {
      if (self.connecting) self[kInternalConnect](host, port, addressType, localAddress, localPort);
    }));
    return;
  }

  if (options.lookup != null) validateFunction(options.lookup, 'options.lookup');
  const dnsopts: { family: any; hints: number; all?: boolean } = {
    family: socketToDnsFamily(options.family),
    hints: options.hints || 0,
  };
  if (!isWindows && dnsopts.family !== 4 && dnsopts.family !== 6 && dnsopts.hints === 0) {
    dnsopts.hints = dns().ADDRCONFIG;
  }
  self._host = host;
  const lookup: LookupFn = options.lookup || dns().lookup;

  // The opt-in race (lib/happy-eyeballs.ts), read only where it can apply.
  const raceDelay = dnsopts.family !== 4 && dnsopts.family !== 6 && !localAddress
    ? connectionAttemptDelay(options.happyEyeballs) : 0;
  if (dnsopts.family !== 4 && dnsopts.family !== 6 && !localAddress && (autoSelectFamily || raceDelay)) {
    dnsopts.all = true;
    inScope(self, () => lookupAndConnectMultiple(self, lookup, host, options, dnsopts, port,
                                                 localAddress, localPort, autoSelectFamilyAttemptTimeout, raceDelay));
    return;
  }

  inScope(self, () => lookup(host, dnsopts, function emitLookup(err: any, ip: string, family: number) {
    self.emit('lookup', err, ip, family, host);
    // Destroyed while the lookup ran.
    if (!self.connecting) return;
    if (err) {
      process.nextTick(connectErrorNT, self, err);
    } else if (!isIP(ip)) {
      process.nextTick(connectErrorNT, self, new ERR_INVALID_IP_ADDRESS(ip));
    } else if (family !== 4 && family !== 6) {
      process.nextTick(connectErrorNT, self,
                       new ERR_INVALID_ADDRESS_FAMILY(family, options.host, options.port));
    } else {
      self._unrefTimer();
      self[kInternalConnect](ip, port, family, localAddress, localPort);
    }
  }));
}

interface LookupAddress { address: string; family: number }

function lookupAndConnectMultiple(self: Socket, lookup: LookupFn, host: string, options: Record<string, any>,
                                  dnsopts: object, port: number, localAddress: string | undefined,
                                  localPort: number | undefined, timeout: number, raceDelay: number): void {
  lookup(host, dnsopts, function emitLookup(err: any, addresses: LookupAddress[]) {
    if (!self.connecting) return;
    if (err) {
      self.emit('lookup', err, undefined, undefined, host);
      process.nextTick(connectErrorNT, self, err);
      return;
    }
    // Keep IPv4/IPv6 addresses once each; the first one's family goes first.
    const validAddresses: LookupAddress[][] = [[], []];
    const validIps: string[][] = [[], []];
    let destinations: Record<number, number> | undefined;
    for (const address of addresses) {
      const { address: ip, family } = address;
      self.emit('lookup', err, ip, family, host);
      if (!self.connecting) return;
      if (isIP(ip) && (family === 4 || family === 6)) {
        destinations ??= family === 6 ? { 6: 0, 4: 1 } : { 4: 0, 6: 1 };
        const destination = destinations[family];
        if (!validIps[destination].includes(ip)) {
          validAddresses[destination].push(address);
          validIps[destination].push(ip);
        }
      }
    }
    if (!validAddresses[0].length && !validAddresses[1].length) {
      const { address: firstIp, family: firstFamily } = addresses[0];
      if (!isIP(firstIp)) {
        process.nextTick(connectErrorNT, self, new ERR_INVALID_IP_ADDRESS(firstIp));
      } else if (firstFamily !== 4 && firstFamily !== 6) {
        process.nextTick(connectErrorNT, self,
                         new ERR_INVALID_ADDRESS_FAMILY(firstFamily, options.host, options.port));
      }
      return;
    }
    const toAttempt: LookupAddress[] = [];
    for (let i = 0, l = Math.max(validAddresses[0].length, validAddresses[1].length); i < l; i++) {
      if (i in validAddresses[0]) toAttempt.push(validAddresses[0][i]);
      if (i in validAddresses[1]) toAttempt.push(validAddresses[1][i]);
    }
    if (toAttempt.length === 1) {
      const { address: ip, family } = toAttempt[0];
      self._unrefTimer();
      self[kInternalConnect](ip, port, family, localAddress, localPort);
      return;
    }
    self._unrefTimer();
    if (raceDelay) {
      raceConnect(self, toAttempt, port, localPort, raceDelay);
      return;
    }
    self.autoSelectFamilyAttemptedAddresses = [];
    const context: MultiConnectContext = {
      socket: self, addresses: toAttempt, current: 0, port, localPort, timeout,
      timer: null, errors: [], attemptHandle: 0,
    };
    internalConnectMultiple(context);
  });
}

interface MultiConnectContext {
  socket: Socket;
  addresses: LookupAddress[];
  current: number;
  port: number;
  localPort: number | undefined;
  timeout: number;
  timer: NodeJS.Timeout | null;
  errors: Error[];
  /** Engine handle of the attempt in flight, 0 when none. */
  attemptHandle: number;
}

/** Closes the attempt in flight (node closes the previous handle when it re-initialises). */
function abandonAttempt(context: MultiConnectContext): void {
  if (context.timer) clearTimeout(context.timer);
  context.socket[kAbortPendingAttempt] = null;
  if (context.attemptHandle) {
    getEngine().close(context.attemptHandle, CloseMode.Abort);
    context.attemptHandle = 0;
  }
}

/**
 * The socket was destroyed with this attempt in flight: node's handle close
 * cancels the connect, whose callback still reports it ('connectionAttemptFailed'
 * with ECANCELED, after 'error' and before 'close').
 */
function cancelAttempt(context: MultiConnectContext, req: ConnectRequest): void {
  abandonAttempt(context);
  const self = context.socket;
  const ex = self[kConnectFailed](req, UV_ECANCELED);
  setImmediate(() => inScope(self, () => self.emit('connectionAttemptFailed', req.address, req.port, req.addressType, ex)));
}

function internalConnectMultiple(context: MultiConnectContext, canceled?: boolean): void {
  if (context.timer) clearTimeout(context.timer);
  const self = context.socket;
  if (self._aborted) return;

  if (canceled || context.current === context.addresses.length) {
    abandonAttempt(context);
    if (context.errors.length === 0) {
      self.destroy(new ERR_SOCKET_CONNECTION_TIMEOUT());
      return;
    }
    self.destroy(new NodeAggregateError(context.errors));
    return;
  }

  const current = context.current++;
  abandonAttempt(context);

  const attempt = startAttempt(self, context.addresses[current], context.port, context.localPort, context.errors,
    (handle, req, status) => afterConnectMultiple(context, handle, req, status));
  if (attempt === null) {
    internalConnectMultiple(context);
    return;
  }
  const { handle, req } = attempt;
  context.attemptHandle = handle;
  self[kAbortPendingAttempt] = Object.assign(() => cancelAttempt(context, req), { handle });

  if (current < context.addresses.length - 1) {
    context.timer = setTimeout(internalConnectMultipleTimeout, context.timeout, context, req, handle);
  }
}

/**
 * Starts one attempt of several (autoSelectFamily's, happyEyeballs'), as
 * node's internalConnectMultiple does: 'connectionAttempt', then its result
 * through `onConnect` (in the socket's async scope). null when it failed at
 * once: its error is pushed to `errors` ('connectionAttemptFailed' emitted,
 * except for a local bind error, which comes before the attempt).
 */
export function startAttempt(self: Socket, { address, family }: { address: string; family: number }, port: number,
                             localPort: number | undefined, errors: Error[],
                             onConnect: (handle: number, req: ConnectRequest, status: number) => void):
    { handle: number; req: ConnectRequest } | null {
  const localAddress = localPort ? (family === 4 ? '0.0.0.0' : '::') : undefined;
  const req: ConnectRequest = { address, port, localAddress, localPort, addressType: family };
  if (isBlocked(self, address, family)) {
    // (node 22.13; node binds first: a blocked address gets no bind error here.)
    const ex = new ERR_IP_BLOCKED(address);
    errors.push(ex);
    self.emit('connectionAttemptFailed', address, port, family, ex);
    return null;
  }
  const engine = getEngine();
  const handle = engine.connectTcp(connectAddressAsNodeReadsIt(address), port, localAddress, bindPort(localPort));
  const bindErr = handle < 0 ? handle : localBindError(handle, localPort);
  if (bindErr < 0 && localAddress !== undefined) {
    if (handle > 0) engine.close(handle, CloseMode.Abort);
    errors.push(new ExceptionWithHostPort(bindErr, 'bind', localAddress, localPort));
    return null;
  }
  self.emit('connectionAttempt', address, port, family);
  self.autoSelectFamilyAttemptedAddresses.push(`${address}:${port}`);
  if (handle < 0) {
    // No socket was made, so node's getsockname has nothing to tell.
    const ex = immediateConnectError(handle, address, port, {});
    errors.push(ex);
    self.emit('connectionAttemptFailed', address, port, family, ex);
    return null;
  }
  const owner: HandleOwner = {
    onConnect(status: number) {
      self[kAsyncResource]!.runInAsyncScope(onConnect, null, handle, req, status);
    },
  };
  engine.setOwner(handle, owner);
  if (self[kUnref]) engine.unref(handle);
  return { handle, req };
}

/** The error of a failed attempt, as node builds it (immediate connect(2) errors name the local address). */
export function attemptError(self: Socket, handle: number, req: ConnectRequest, status: number): Error {
  if (isImmediateConnectError(status)) {
    const local: Partial<AddressInfo> = {};
    getEngine().sockname(handle, local);
    return immediateConnectError(status, req.address, req.port, local);
  }
  return self[kConnectFailed](req, status);
}

function afterConnectMultiple(context: MultiConnectContext, handle: number,
                              req: ConnectRequest, status: number): void {
  if (context.timer) clearTimeout(context.timer);
  // This attempt was abandoned (timed out or socket destroyed): its handle is already closing.
  if (context.attemptHandle !== handle) return;
  const self = context.socket;
  if (status !== 0) {
    context.attemptHandle = 0;
    const ex = attemptError(self, handle, req, status);
    getEngine().close(handle, CloseMode.Abort);
    context.errors.push(ex);
    self.emit('connectionAttemptFailed', req.address, req.port, req.addressType, ex);
    if (self.connecting) internalConnectMultiple(context, status === UV_ECANCELED);
    return;
  }
  context.attemptHandle = 0;
  if (self.destroyed || !self.connecting) {
    getEngine().close(handle, CloseMode.Abort);
    return;
  }
  self[kAdoptHandle](handle, req);
  self[kAfterConnect](0);
}

function internalConnectMultipleTimeout(context: MultiConnectContext, req: ConnectRequest, handle: number): void {
  const self = context.socket;
  self[kAsyncResource]!.runInAsyncScope(() => {
    self.emit('connectionAttemptTimeout', req.address, req.port, req.addressType);
    context.errors.push(self[kConnectFailed](req, UV_ETIMEDOUT));
    if (context.attemptHandle === handle) abandonAttempt(context);
    if (self.connecting) internalConnectMultiple(context);
  });
}
