/**
 * The client for browsers: the token travels as the `cc-executor.token.<t>` subprotocol, since
 * browsers cannot set headers on a WebSocket handshake; the server answers with `cc-executor`.
 */
import { CcExecutorClient } from "./client.js";
import type { ReconnectOptions } from "./rpc-client.js";
import type { SocketLike } from "./socket.js";

export * from "./claude.js";
export * from "./client.js";
export * from "./errors.js";
export * from "./events.js";

export interface BrowserConnectOptions {
  url: string;
  token: string | null;
  reconnect?: ReconnectOptions | false;
  /** How long one attempt to open the socket may take (default 10 s). */
  connectTimeoutMs?: number;
  /** How long a request waits for its reply (default 30 s; see ClientOptions). */
  requestTimeoutMs?: number;
}

export function connect(options: BrowserConnectOptions): Promise<CcExecutorClient> {
  const protocols = options.token
    ? ["cc-executor", `cc-executor.token.${options.token}`]
    : ["cc-executor"];
  return CcExecutorClient.connect({
    url: options.url,
    createSocket: (url) => new WebSocket(url, protocols) as unknown as SocketLike,
    reconnect: options.reconnect,
    connectTimeoutMs: options.connectTimeoutMs,
    requestTimeoutMs: options.requestTimeoutMs,
  });
}
