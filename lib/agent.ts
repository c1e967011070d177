// http.Agent and https.Agent whose connections are iocp-net sockets, for
// clients the register hook cannot reach: node's http and https modules keep
// node:net internally, and libraries create their own agents (or pass
// `agent: false`, which makes node create one).
//
//   const { HttpAgent, HttpsAgent } = require('iocp-net/agent');
//   http.get(url, { agent: new HttpAgent({ keepAlive: true }) });
import * as http from 'http';
import * as https from 'https';
import * as tls from 'tls';
import type * as nodeNet from 'net';
import { createConnection } from './net';

/** http.Agent over iocp-net: node's own agent (pooling, keep-alive, timeouts), our sockets. */
export class HttpAgent extends http.Agent {}
// node's http.Agent has `createConnection = net.createConnection` on its prototype: the same, with ours.
(HttpAgent.prototype as unknown as { createConnection: typeof createConnection }).createConnection = createConnection;

const nodeHttpsCreateConnection = https.Agent.prototype.createConnection;

/**
 * https.Agent over iocp-net: TLS (node's, with the agent's session cache)
 * runs over one of our sockets. Like node's, `options.timeout` becomes the
 * TLS socket's idle timeout.
 */
export class HttpsAgent extends https.Agent {
  override createConnection(options: https.RequestOptions): tls.TLSSocket {
    const { timeout, ...connectOptions } = options;
    // allowHalfOpen: TLS decides when to end the connection, not the raw
    // socket (a raw socket that ended on the peer's FIN would refuse TLS's last writes).
    const socket = createConnection({ ...connectOptions, allowHalfOpen: true } as nodeNet.NetConnectOpts);
    const secure = nodeHttpsCreateConnection.call(this, { ...connectOptions, socket } as https.RequestOptions) as tls.TLSSocket;
    if (timeout) secure.setTimeout(timeout);
    return secure;
  }
}
