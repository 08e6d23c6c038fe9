/**
 * The client for Node: finds the running server and its token by itself (DESIGN §11), and
 * sends the token as an `Authorization: Bearer` header.
 *
 *   import { connect } from "cc-executor";
 *   const client = await connect();
 *   const result = await client.execute("npm test", { timeoutMs: 600_000 });
 */
import type WebSocketClass from "ws";
import { homePaths } from "../config/home.js";
import { defaultHome } from "../config/load-settings.js";
import { readToken } from "../config/token.js";
import { requireCjs } from "../runtime/require-cjs.js";
import { CcExecutorClient } from "./client.js";
import type { ReconnectOptions } from "./rpc-client.js";
import { readServerInfo } from "./server-info.js";
import type { SocketLike } from "./socket.js";

export type { BatchOptions, BatchSummary, BatchTask, BatchTaskResult } from "./batch.js";

const WebSocket = requireCjs("ws") as typeof WebSocketClass;

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
export type { ExecutionStream } from "./execution-stream.js";
export type { ReconnectOptions, RequestOptions } from "./rpc-client.js";
export type {
  TaskListEvent,
  TaskListOptions,
  TaskListRun,
  TaskListSummary,
} from "./task-list-run.js";

export interface ConnectOptions {
  /** ws://host:port/ws/mcp — default: the running server recorded in the home, else 127.0.0.1:8003. */
  url?: string;
  /** Default: $CC_EXECUTOR_TOKEN, else the token file in the home. */
  token?: string | null;
  /** Default: $CC_EXECUTOR_HOME or ~/.cc-executor. */
  home?: string;
  reconnect?: ReconnectOptions | false;
  /** How long one attempt to open the socket may take (default 10 s). */
  connectTimeoutMs?: number;
  /** How long a request waits for its reply (default 30 s; see ClientOptions). */
  requestTimeoutMs?: number;
}

export function resolveEndpoint(options: ConnectOptions = {}): {
  url: string;
  token: string | null;
} {
  const home = options.home ?? defaultHome();
  const paths = homePaths(home);
  const url =
    options.url ??
    process.env.CC_EXECUTOR_URL ??
    readServerInfo(paths.serverInfo)?.wsUrl ??
    `ws://127.0.0.1:${process.env.CC_EXECUTOR_PORT ?? 8003}/ws/mcp`;
  const token =
    options.token !== undefined
      ? options.token
      : (process.env.CC_EXECUTOR_TOKEN ?? readToken(paths.token));
  return { url, token };
}

export function nodeSocketFactory(token: string | null, maxPayload = 256 * 1024 * 1024) {
  return (url: string): SocketLike =>
    new WebSocket(url, ["cc-executor"], {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      perMessageDeflate: false,
      maxPayload,
      // Our server sends valid UTF-8 JSON; skipping re-validation saves a pass over every byte.
      skipUTF8Validation: true,
    }) as unknown as SocketLike;
}

export async function connect(options: ConnectOptions = {}): Promise<CcExecutorClient> {
  const { url, token } = resolveEndpoint(options);
  return CcExecutorClient.connect({
    url,
    createSocket: nodeSocketFactory(token),
    reconnect: options.reconnect,
    connectTimeoutMs: options.connectTimeoutMs,
    requestTimeoutMs: options.requestTimeoutMs,
  });
}
