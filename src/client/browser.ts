/**
 * The client for browsers: the token travels as the `cc-executor.token.<t>` subprotocol, since
 * browsers cannot set headers on a WebSocket handshake; the server answers with `cc-executor`.
 */
import { CcExecutorClient } from "./client.js";
import type { ReconnectOptions } from "./rpc-client.js";
import type { SocketLike } from "./socket.js";

export type { MethodName, ParamsOf, ResultOf } from "../protocol/method-map.js";
export {
  type ClaudeEvent,
  type ClaudeNotice,
  type ClaudeOptions,
  type ClaudeResult,
  ClaudeStream,
  type ClaudeStreamEvent,
  claudeRequest,
  claudeResult,
  runClaude,
  type StartExecution,
  streamClaude,
} from "./claude.js";
export { CcExecutorClient, type ClientOptions, type ExecuteOptions } from "./client.js";
export {
  ClientClosedError,
  ConnectionLostError,
  HandshakeRefusedError,
  RemoteError,
  RequestTimeoutError,
} from "./errors.js";
export type { ExecutionEvent, ExecutionResult } from "./events.js";
export type { ReconnectOptions, RequestOptions } from "./rpc-client.js";

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
