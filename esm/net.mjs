// ESM entry: the same objects as the CommonJS entry (one Socket class, one
// Server class), as named exports and as the default export.
import net from '../dist/net.js';

export const {
  Socket, Stream, Server, BlockList, SocketAddress,
  connect, createConnection, createServer,
  isIP, isIPv4, isIPv6,
  getDefaultAutoSelectFamily, setDefaultAutoSelectFamily,
  getDefaultAutoSelectFamilyAttemptTimeout, setDefaultAutoSelectFamilyAttemptTimeout,
  _createServerHandle, _normalizeArgs, _setSimultaneousAccepts,
} = net;

export default net;
