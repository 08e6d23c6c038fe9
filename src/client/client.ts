/**
 * The cc-executor client (DESIGN §1 part 6): run commands, follow them as typed events, control
 * them, run a batch in order. Environment-neutral: `node.ts` and `browser.ts` supply the socket.
 *
 * There is no "restart the handler" option: the original restarted its server before each task
 * because Claude runs could hang its streams; cc-executor ends every run on its own terms.
 */
import type { MethodName, ParamsOf, ResultOf } from "../protocol/method-map.js";
import type { ControlResult, ServerStatusResult } from "../protocol/results.js";
import { type BatchOptions, type BatchSummary, type BatchTask, runBatch } from "./batch.js";
import {
  type ClaudeOptions,
  type ClaudeResult,
  type ClaudeStream,
  runClaude,
  streamClaude,
} from "./claude.js";
import type { ExecutionResult } from "./events.js";
import { ExecutionStream, type StartRequest } from "./execution-stream.js";
import { type ReconnectOptions, type RequestOptions, RpcClient } from "./rpc-client.js";
import type { SocketFactory } from "./socket.js";
import {
  type TaskListOptions,
  TaskListRun,
  type TaskListStart,
  taskListParams,
} from "./task-list-run.js";

export interface ExecuteOptions {
  /** Wall-clock limit, enforced by the server. */
  timeoutMs?: number;
  /** Limit on time without output, enforced by the server. */
  idleTimeoutMs?: number;
  cwd?: string;
  /** Merged over the server's environment; null removes a variable. */
  env?: Record<string, string | null>;
  /** Aborting cancels the execution. */
  signal?: AbortSignal;
  /** Choose the id yourself (must be unique on the server). */
  executionId?: string;
  outputEncoding?: "utf8" | "base64";
  /** Cancel the execution if this client's connection closes (default: it keeps running). */
  killOnDisconnect?: boolean;
  /** Keep stdout/stderr in the result (default true for execute, false for stream). */
  collectOutput?: boolean;
}

export interface ClientOptions {
  url: string;
  createSocket: SocketFactory;
  /** false: fail on the first drop instead of reconnecting. */
  reconnect?: ReconnectOptions | false;
  /** How long one attempt to open the socket may take (default 10 s). */
  connectTimeoutMs?: number;
  /**
   * How long a request waits for its reply before it fails with RequestTimeoutError (default
   * 30 s; `Infinity`: no limit). Starting an execution waits for the server's pre-hooks: raise
   * it if yours take longer.
   */
  requestTimeoutMs?: number;
}

const DEFAULT_RECONNECT: Required<ReconnectOptions> = {
  giveUpAfterMs: 60_000,
  initialDelayMs: 100,
  maxDelayMs: 5_000,
};

function newExecutionId(): string {
  return globalThis.crypto.randomUUID();
}

export class CcExecutorClient {
  readonly rpc: RpcClient;
  private readonly streams = new Map<string, ExecutionStream>();

  private constructor(options: ClientOptions) {
    const reconnect =
      options.reconnect === false ? null : { ...DEFAULT_RECONNECT, ...options.reconnect };
    this.rpc = new RpcClient(
      options.url,
      options.createSocket,
      reconnect,
      options.connectTimeoutMs,
      options.requestTimeoutMs,
    );
    for (const method of [
      "process.started",
      "process.output",
      "process.completed",
      "process.paused",
      "process.resumed",
      "process.canceled",
      "process.status",
      "process.error",
      "process.gap",
      // Claude runs (docs/claude.md): detections and retries, seen by ClaudeStream.
      "error.token_limit_exceeded",
      "error.rate_limit_exceeded",
      "error.auth_failed",
      "error.root_refusal",
      "claude.retry",
    ]) {
      this.rpc.on(method, (params) => this.route(method, params));
    }
    this.rpc.onReconnect(() => {
      for (const stream of this.streams.values()) void stream.reattach();
    });
    this.rpc.onClose((error) => {
      for (const stream of [...this.streams.values()]) stream.abandon(error);
    });
  }

  static async connect(options: ClientOptions): Promise<CcExecutorClient> {
    const client = new CcExecutorClient(options);
    await client.rpc.open();
    return client;
  }

  /** Runs a command to its end; a non-zero exit is a result (`success: false`), not an exception. */
  execute(command: string, options: ExecuteOptions = {}): Promise<ExecutionResult> {
    return this.stream(command, { collectOutput: true, ...options }, false).result;
  }

  /** Starts a command and returns its live stream: iterate it for typed events; `.result` at the end. */
  stream(command: string, options: ExecuteOptions = {}, bufferEvents = true): ExecutionStream {
    const params: ParamsOf<"execute"> & { execution_id: string } = {
      command,
      execution_id: options.executionId ?? newExecutionId(),
    };
    if (options.timeoutMs !== undefined) params.timeout = options.timeoutMs / 1000;
    if (options.idleTimeoutMs !== undefined) params.idle_timeout = options.idleTimeoutMs / 1000;
    if (options.cwd !== undefined) params.cwd = options.cwd;
    if (options.env !== undefined) params.env = options.env;
    if (options.outputEncoding !== undefined) params.output_encoding = options.outputEncoding;
    if (options.killOnDisconnect !== undefined)
      params.kill_on_disconnect = options.killOnDisconnect;
    return this.start({ method: "execute", params }, options, bufferEvents);
  }

  /** Runs Claude Code (`claude.execute`) to its end; a failed run is a result, not an error. */
  claude(prompt: string, options: ClaudeOptions = {}): Promise<ClaudeResult> {
    return runClaude((...args) => this.start(...args), prompt, options);
  }

  /** Starts a Claude run that yields its parsed stream-json events live; `.result` at the end. */
  claudeStream(prompt: string, options: ClaudeOptions = {}): ClaudeStream {
    return streamClaude((...args) => this.start(...args), prompt, options);
  }

  /** Starts any execution-creating method (`execute`, `claude.execute`) as a stream. */
  start(
    request: StartRequest,
    options: Pick<ExecuteOptions, "signal" | "collectOutput">,
    bufferEvents: boolean,
  ): ExecutionStream {
    const stream = new ExecutionStream(
      this.rpc,
      request,
      { collectOutput: options.collectOutput ?? false, bufferEvents, signal: options.signal },
      (done) => this.streams.delete(done.id),
    );
    this.streams.set(stream.id, stream);
    void stream.begin();
    return stream;
  }

  /** Follows an execution started elsewhere (another client, an earlier connection). */
  attach(executionId: string, afterSeq = 0): ExecutionStream {
    const stream = this.start(
      { method: "subscribe", params: { execution_id: executionId, after_seq: afterSeq } },
      {},
      true,
    );
    return stream;
  }

  cancel(executionId: string): Promise<ControlResult> {
    return this.rpc.request("control", { type: "CANCEL", execution_id: executionId });
  }

  pause(executionId: string): Promise<ControlResult> {
    return this.rpc.request("control", { type: "PAUSE", execution_id: executionId });
  }

  resume(executionId: string): Promise<ControlResult> {
    return this.rpc.request("control", { type: "RESUME", execution_id: executionId });
  }

  serverStatus(): Promise<ServerStatusResult> {
    return this.rpc.request("server.status", {});
  }

  /** Runs tasks strictly one after another (each waits for the previous to end). */
  executeBatch(
    tasks: Array<BatchTask | string>,
    options: BatchOptions = {},
  ): Promise<BatchSummary> {
    return runBatch(this, tasks, options);
  }

  /**
   * Runs a task list in the server (docs/tasks.md): a list value (`{tasks: [...]}`, or an array
   * of tasks) or the path of a list file, read by the server (a relative path is made absolute
   * against this process's working directory in Node). Iterate the run for progress; `.result`
   * is the summary. The run goes on in the server if this client goes away.
   */
  runTaskList(listOrPath: string | object, options: TaskListOptions = {}): TaskListRun {
    const params = taskListParams(absolutePath(listOrPath), options);
    return this.startTaskList({ method: "tasks.run", params }, options);
  }

  /** Continues a stopped run at its first unfinished task (`tasks resume`). */
  resumeTaskList(
    runId: string,
    options: Omit<TaskListOptions, "baseDir" | "runId"> = {},
  ): TaskListRun {
    const params: ParamsOf<"tasks.resume"> = { run_id: runId };
    if (options.streamOutput !== undefined) params.stream_output = options.streamOutput;
    return this.startTaskList({ method: "tasks.resume", params }, options);
  }

  /** Follows a run started elsewhere (or earlier) to its end. */
  watchTaskList(
    runId: string,
    options: Omit<TaskListOptions, "baseDir" | "runId"> = {},
  ): TaskListRun {
    const params = { run_id: runId, subscribe: true, stream_output: options.streamOutput ?? true };
    return this.startTaskList({ method: "tasks.get", params }, options);
  }

  private startTaskList(start: TaskListStart, options: TaskListOptions): TaskListRun {
    const run = new TaskListRun(this.rpc, start, options);
    void run.begin();
    return run;
  }

  /**
   * Any method of the protocol (docs/protocol.md), typed: `params` is what the method takes, the
   * result what it answers. Rejects with RemoteError (the server's error), RequestTimeoutError
   * (no reply within `timeoutMs`, default the client's `requestTimeoutMs`), ConnectionLostError,
   * or the signal's reason when `signal` aborts.
   *
   *   const { executions } = await client.request("history.list", { limit: 10 });
   */
  request<M extends MethodName>(
    method: M,
    params: ParamsOf<M>,
    options?: RequestOptions<ResultOf<M>>,
  ): Promise<ResultOf<M>> {
    return this.rpc.request(method, params, options);
  }

  /** A method by any name, its result unchecked: for names outside the protocol's contract. */
  requestRaw(method: string, params?: unknown, options?: RequestOptions): Promise<unknown> {
    return this.rpc.requestRaw(method, params, options);
  }

  close(): void {
    this.rpc.close();
  }

  private route(method: string, params: Record<string, unknown>): void {
    const id = params.execution_id;
    if (typeof id === "string") this.streams.get(id)?.handle(method, params);
  }
}

/** A relative list path, made absolute where a working directory exists (Node), else as is. */
function absolutePath(listOrPath: string | object): string | object {
  if (typeof listOrPath !== "string" || listOrPath.startsWith("/")) return listOrPath;
  const cwd = (globalThis as { process?: { cwd?: () => string } }).process?.cwd?.();
  return cwd ? `${cwd.replace(/\/$/, "")}/${listOrPath.replace(/^\.\//, "")}` : listOrPath;
}
