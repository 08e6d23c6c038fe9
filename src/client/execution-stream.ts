/**
 * One execution as the client follows it: the start request, its notifications in seq order
 * (duplicates after a re-attach are dropped), the collected output, and the final result.
 * After a dropped connection it re-attaches with `subscribe` from the last seq it saw; if the
 * server never received the start, it sends it again under the same execution_id.
 */

import { ErrorCode } from "../protocol/errors.js";
import type { ParamsOf } from "../protocol/method-map.js";
import type { ExecuteResult, SubscribeResult } from "../protocol/results.js";
import { deferred } from "./deferred.js";
import { ConnectionLostError, RemoteError } from "./errors.js";
import { EventQueue } from "./event-queue.js";
import type { ExecutionEvent, ExecutionResult } from "./events.js";
import { plainEvent, resultFromCompletion } from "./notification-events.js";
import type { RpcClient } from "./rpc-client.js";

/** What a stream starts with: an execution of its own, or `subscribe` to one (attach). */
export type StartRequest =
  | { method: "execute"; params: ParamsOf<"execute"> & { execution_id: string } }
  | { method: "claude.execute"; params: ParamsOf<"claude.execute"> & { execution_id: string } }
  | { method: "subscribe"; params: ParamsOf<"subscribe"> };

export interface StreamOptions {
  collectOutput: boolean;
  /** Queue events for async iteration (off for `execute`, which only wants the result). */
  bufferEvents: boolean;
  signal?: AbortSignal;
}

type Params = Record<string, unknown>;

export class ExecutionStream implements AsyncIterable<ExecutionEvent> {
  private readonly startedSettle = deferred<ExecuteResult | SubscribeResult>();
  private readonly resultSettle = deferred<ExecutionResult>();
  /**
   * The start reply. A stream from `attach()` has none of its own: the `subscribe` reply (the
   * execution's status, no pid) stands in for it — typed as the start reply, as it always was.
   */
  readonly started = this.startedSettle.promise as Promise<ExecuteResult>;
  readonly result = this.resultSettle.promise;
  private lastSeq = 0;
  private outputs = 0;
  private readonly stdout: string[] = [];
  private readonly stderr: string[] = [];
  private readonly queue = new EventQueue<ExecutionEvent>();
  private acknowledged = false;
  /**
   * For `attach`: whether this stream's `subscribe` has been answered. The server replays after
   * its reply, so whatever came before the reply was sent by an older subscription of this
   * connection (the one `execute` made for the page that started it) and is replayed anyway.
   */
  private subscribed = false;
  private startSeen = false;
  private finished = false;
  /** The caller's signal fired: cancel, and cancel again after a re-attach in case it was lost. */
  private abortRequested = false;
  private readonly extraHandlers: Array<(method: string, params: Params) => void> = [];

  constructor(
    private readonly rpc: RpcClient,
    private readonly request: StartRequest,
    private readonly options: StreamOptions,
    private readonly onFinished: (stream: ExecutionStream) => void,
  ) {
    this.lastSeq = request.method === "subscribe" ? (request.params.after_seq ?? 0) : 0;
    options.signal?.addEventListener("abort", this.onAbort, { once: true });
  }

  get id(): string {
    return this.request.params.execution_id;
  }

  [Symbol.asyncIterator](): AsyncIterator<ExecutionEvent> {
    return this.queue[Symbol.asyncIterator]();
  }

  /** Lets a feature layer (e.g. Claude runs) see every notification of this execution. */
  onNotification(handler: (method: string, params: Params) => void): void {
    this.extraHandlers.push(handler);
  }

  async begin(): Promise<void> {
    if (this.options.signal?.aborted) {
      this.fail(new Error("aborted before start"));
      return;
    }
    try {
      await this.sendStart();
    } catch (error) {
      // A lost connection is recovered by reattach() — unless the client is closed for good,
      // when no reattach will ever come. Anything else ends this execution.
      if (!(error instanceof ConnectionLostError) || this.rpc.closedFor) this.fail(error as Error);
    }
  }

  private sendStart(): Promise<ExecuteResult | SubscribeResult> {
    const { request } = this;
    // A start's reply waits for the pre hooks; giving up on it while the server goes on would
    // leave the execution running unfollowed. A lost connection is what ends the wait (reattach).
    // The reply is taken on arrival, before the notifications read with it: else a
    // `process.started` in the same read would settle `started` first, without the reply's
    // fields (for `attach`, the subscribe reply's status and last_seq).
    const untimed = {
      timeoutMs: Number.POSITIVE_INFINITY,
      onReply: (reply: ExecuteResult | SubscribeResult) => this.acknowledge(reply),
    };
    switch (request.method) {
      case "execute":
        return this.rpc.request("execute", request.params, untimed);
      case "claude.execute":
        return this.rpc.request("claude.execute", request.params, untimed);
      case "subscribe":
        return this.rpc.request("subscribe", request.params, untimed);
    }
  }

  /** After a reconnect: resume from the last seq, or re-send the start the server never got. */
  async reattach(): Promise<void> {
    if (this.finished) return;
    try {
      // Emitted on the reply itself, so it precedes the replayed events in the stream.
      await this.rpc.request(
        "subscribe",
        { execution_id: this.id, after_seq: this.lastSeq },
        {
          timeoutMs: Number.POSITIVE_INFINITY,
          onReply: () => {
            this.subscribed = true;
            this.emit({ type: "reattached", executionId: this.id });
          },
        },
      );
      this.repeatCancelIfAborted();
    } catch (error) {
      if (error instanceof ConnectionLostError) return;
      if (
        error instanceof RemoteError &&
        error.code === ErrorCode.ExecutionNotFound &&
        !this.acknowledged
      ) {
        await this.begin();
        this.repeatCancelIfAborted();
        return;
      }
      this.fail(
        error instanceof RemoteError && error.code === ErrorCode.ExecutionNotFound
          ? new ConnectionLostError(
              `execution ${this.id} is unknown to the server after reconnecting (server restarted?)`,
            )
          : (error as Error),
      );
    }
  }

  cancel(): Promise<unknown> {
    return this.control("CANCEL");
  }

  pause(): Promise<unknown> {
    return this.control("PAUSE");
  }

  resume(): Promise<unknown> {
    return this.control("RESUME");
  }

  /** Routes one notification of this execution. */
  handle(method: string, params: Params): void {
    if (this.finished) return;
    // Taking an older subscription's output would move lastSeq past output that this stream
    // never saw (the replay would then drop it as a duplicate), and its `process.completed`
    // would end the stream before the replay: an empty terminal for a finished command.
    if (this.request.method === "subscribe" && !this.subscribed) return;
    for (const handler of this.extraHandlers) handler(method, params);
    const executionId = this.id;
    switch (method) {
      case "process.output":
        return this.output(params);
      case "process.started": {
        this.acknowledged = true;
        if (this.startSeen) return;
        this.startSeen = true;
        const pid = Number(params.pid);
        const pgid = Number(params.pgid);
        // Also settles `started` when the execute reply itself was lost with a connection.
        this.startedSettle.resolve({ status: "started", execution_id: executionId, pid, pgid });
        return this.emit({ type: "started", executionId, pid, pgid });
      }
      case "process.gap":
        this.lastSeq = Math.max(this.lastSeq, Number(params.to_seq));
        return this.emit({
          type: "gap",
          executionId,
          fromSeq: Number(params.from_seq),
          toSeq: Number(params.to_seq),
        });
      case "process.completed":
        return this.complete(params);
      default:
        return this.emit(plainEvent(method, params, executionId));
    }
  }

  /** The client is closed for good: an unfinished execution's result is an error. */
  abandon(error: Error): void {
    if (!this.finished) this.fail(error);
  }

  private control(type: string): Promise<unknown> {
    return this.rpc.request("control", { type, execution_id: this.id });
  }

  private readonly onAbort = (): void => {
    this.abortRequested = true;
    // While disconnected the cancel cannot be sent; repeatCancelIfAborted sends it on re-attach.
    if (this.rpc.isOpen) void this.cancel().catch(() => {});
  };

  private repeatCancelIfAborted(): void {
    if (this.abortRequested && !this.finished) void this.cancel().catch(() => {});
  }

  private acknowledge(result: ExecuteResult | SubscribeResult): void {
    this.acknowledged = true;
    this.subscribed = true;
    this.startedSettle.resolve(result);
    // `subscribe` (attach) answers with the execution's status, not a queue position.
    if (result.status === "queued" && "position" in result) {
      this.emit({ type: "queued", executionId: this.id, position: result.position });
    }
  }

  private output(params: Params): void {
    const seq = Number(params.seq);
    if (seq <= this.lastSeq) return; // already seen before a re-attach
    this.lastSeq = seq;
    this.outputs++;
    const stream = params.type === "stderr" ? "stderr" : "stdout";
    const data = String(params.data);
    if (this.options.collectOutput) (stream === "stdout" ? this.stdout : this.stderr).push(data);
    this.emit({ type: "output", executionId: this.id, stream, data, seq });
  }

  private complete(params: Params): void {
    const result = resultFromCompletion(this.id, params, {
      stdout: this.stdout.join(""),
      stderr: this.stderr.join(""),
      outputs: this.outputs,
    });
    this.acknowledged = true;
    this.emit({ type: "completed", executionId: this.id, result });
    this.settle();
    this.startedSettle.resolve({ status: "started", execution_id: this.id, pid: -1, pgid: -1 });
    this.resultSettle.resolve(result);
  }

  private fail(error: Error): void {
    if (this.finished) return;
    this.settle();
    this.startedSettle.reject(error);
    this.resultSettle.reject(error);
  }

  private settle(): void {
    this.finished = true;
    this.options.signal?.removeEventListener("abort", this.onAbort);
    this.queue.end();
    this.onFinished(this);
  }

  private emit(event: ExecutionEvent): void {
    if (this.options.bufferEvents) this.queue.push(event);
  }
}
