// What the running Node's net does, where it differs between the Node
// versions we support (20, 22, 24) and cannot be read from node's own modules
// without loading node:net (~1.8 MiB of RSS a server on iocp-net should not
// pay) or its internals. Defaults that node exposes (the stream
// highWaterMark, the autoSelectFamily settings) are read from node, not here.
//
// Each flag names the Node release that brought the behaviour (from node's
// changelogs): that version, its later minors, and later majors have it.

/** [major, minor] of the running node. */
const [major, minor] = process.versions.node.split('.').map(Number);

/** True when the running node is at least `release` ([major, minor]) or of a later major. */
function since([m, n]: [number, number]): boolean {
  return major > m || (major === m && minor >= n);
}

/** libuv's version, which decides unix socket name and chmod semantics. */
const uv = process.versions.uv.split('.').map(Number);
const uvAtLeast = (maj: number, min: number): boolean => uv[0] > maj || (uv[0] === maj && uv[1] >= min);

export const features = {
  /** maxConnections = 0 drops every connection (21.0: `maxConnections != null`). */
  maxConnectionsZeroDrops: since([21, 0]),
  /** _final waits for 'connect' only while connecting, not while merely pending (22.0). */
  finalWaitsOnlyWhileConnecting: since([22, 0]),
  /** validateArray's "must have a length of at least N" (24.18, "lib: fixes validator message"; before: "must be longer than N"). */
  validateArrayLengthText: since([24, 18]),
  /** A write that fails after destroy() reports its error (stream_base_commons checks the status first) (22.0). */
  writeErrorAfterDestroy: since([22, 0]),
  /** listen() with a host takes the first address of lookup({ all: true }) that is not IPv6 link-local (22.8). */
  listenSkipsLinkLocal: since([22, 8]),
  /** listen({ reusePort }) (SO_REUSEPORT) and server.dropMaxConnection (22.12). */
  reusePort: since([22, 12]),
  /** blockList on connect() and on Server, BlockList.isBlockList, SocketAddress.parse (22.13). */
  blockList: since([22, 13]),
  /** connect() validates options.host as a string: "options.host" in the message (22.15). */
  connectValidatesHost: since([22, 15]),
  /** 'net.client.socket' is published by Socket#connect, not only by net.connect (22.17). */
  clientSocketChannelOnConnect: since([22, 17]),
  /** BlockList#toJSON and BlockList#fromJSON (22.19). */
  blockListJson: since([22, 19]),
  /** connect() refuses hosts with NUL bytes (22.23). */
  hostWithoutNullBytes: since([22, 23]),
  /** net._setSimultaneousAccepts (DEP0121) removed (24.0). */
  noSimultaneousAccepts: since([24, 0]),
  /** the typeOfService Socket option, Socket#setTypeOfService / getTypeOfService (24.15). */
  typeOfService: since([24, 15]),
  /** Socket#setKeepAlive(enable, delay, interval, count) and its options-object form; net.BoundSocket (24.19). */
  keepAliveInterval: since([24, 19]),
  boundSocket: since([24, 19]),
  /** A link-local connect without a usable zone takes the first link-local interface's scope (libuv 1.48, 22.0). */
  linkLocalDefaultScope: since([22, 0]),
  /** Unix socket file names with a NUL byte are EINVAL, listen and connect at once, instead of cut at the NUL (22.0). */
  pipeNameWithNulIsError: since([22, 0]),
  /** Unix socket names longer than sun_path are EINVAL, instead of cut (24.0; node 22's libuv 1.51 still cuts). */
  pipeNameTooLongIsError: since([24, 0]),
  /** Error texts read a received object's constructor and its name once each (24.22). */
  constructorNameReadOnce: since([24, 22]),
  /** libuv 1.47 (node 22): readableAll/writableAll set the socket file's mode to exactly 0444/0222/0666. */
  pipeChmodExact: uvAtLeast(1, 47),
};
