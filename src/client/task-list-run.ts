/**
 * A task-list run as the client follows it (DESIGN §7, docs/tasks.md): progress events in order
 * — started, each task's start and end, its steps' output, hook warnings — then a summary. The
 * run lives in the server: closing the client or losing the connection does not stop it; after
 * a reconnect the client watches it again (`tasks.get {subscribe}`), and aborting cancels it.
 *
 *   const run = client.runTaskList("examples/basic/tasks.md");
 *   for await (const event of run) if (event.type === "task.completed") console.log(event.index);
 *   const summary = await run.result;
 */

import type { ParamsOf } from "../protocol/method-map.js";
import type {
  TaskCompletedParams,
  TasklistCompletedParams,
  TaskRunWire,
  TaskStartedParams,
  TasksStartResult,
} from "../protocol/tasks.js";
import { deferred } from "./deferred.js";
import { EventQueue } from "./event-queue.js";
import type { RpcClient } from "./rpc-client.js";

export interface TaskListOptions {
  /** Relative `cwd`s of an inline list resolve here (default: the server's working directory). */
  baseDir?: string;
  /** Choose the run id yourself. */
  runId?: string;
  /** Deliver each step's output as `output` events (default true). */
  streamOutput?: boolean;
  /** Aborting cancels the run (`tasks.cancel`). */
  signal?: AbortSignal;
}

export type TaskListEvent =
  | {
      type: "started";
      runId: string;
      name: string | null;
      total: number;
      startTask: number;
      /** True when watching a run that was already under way (`watchTaskList`, `tasks watch`). */
      attached?: boolean;
    }
  | { type: "task.started"; runId: string; params: TaskStartedParams }
  | {
      type: "output";
      runId: string;
      /** 1-based task index. */
      index: number;
      executionId: string;
      stream: "stdout" | "stderr";
      data: string;
    }
  | { type: "task.completed"; runId: string; params: TaskCompletedParams }
  | { type: "hook.warning"; runId: string; params: Record<string, unknown> }
  /** The connection dropped; the client is reconnecting (then `reattached`, or the run fails). */
  | { type: "disconnected"; runId: string }
  | { type: "reattached"; runId: string }
  | { type: "completed"; runId: string; summary: TaskListSummary };

export interface TaskListSummary {
  runId: string;
  status: TasklistCompletedParams["status"];
  /** True exactly when every task completed. */
  success: boolean;
  completed: number;
  failed: number;
  notRun: number;
  costUsd: number;
  runDir: string;
  error: string | null;
  /** The whole run as `tasks.get` returns it (each task's status, result, attempts). */
  run: TaskRunWire;
}

type Params = Record<string, unknown>;

/** What a run is followed from: its start, its resume, or watching it (`tasks.get`). */
export type TaskListStart =
  | { method: "tasks.run"; params: ParamsOf<"tasks.run"> }
  | { method: "tasks.resume"; params: ParamsOf<"tasks.resume"> }
  | { method: "tasks.get"; params: ParamsOf<"tasks.get"> };

export class TaskListRun implements AsyncIterable<TaskListEvent> {
  private readonly startedSettle = deferred<TasksStartResult>();
  private readonly resultSettle = deferred<TaskListSummary>();
  readonly started = this.startedSettle.promise;
  readonly result = this.resultSettle.promise;
  private runId: string | null = null;
  private readonly queue = new EventQueue<TaskListEvent>();
  private readonly steps = new Map<string, number>();
  private readonly unsubscribers: Array<() => void> = [];
  private finished = false;

  constructor(
    private readonly rpc: RpcClient,
    private readonly start: TaskListStart,
    private readonly options: Pick<TaskListOptions, "signal"> = {},
  ) {
    const on = (method: string, handler: (params: Params) => void) =>
      this.unsubscribers.push(this.rpc.on(method, handler));
    on("task.started", (p) => this.taskStarted(p));
    on("task.completed", (p) => this.mine(p) && this.emitTask("task.completed", p));
    on("tasklist.completed", (p) => this.mine(p) && void this.complete(p));
    on("hook.warning", (p) => {
      const task = p.task as { run_id?: string } | undefined;
      if (this.runId !== null && task?.run_id === this.runId) {
        this.queue.push({ type: "hook.warning", runId: this.runId, params: p });
      }
    });
    on("process.output", (p) => this.output(p));
    this.unsubscribers.push(
      this.rpc.onDisconnect(() => {
        if (this.runId !== null) this.queue.push({ type: "disconnected", runId: this.runId });
      }),
    );
    this.unsubscribers.push(this.rpc.onReconnect(() => void this.reattach()));
    this.unsubscribers.push(this.rpc.onClose((error) => this.fail(error)));
    options.signal?.addEventListener("abort", this.onAbort, { once: true });
  }

  /** The run's id, once the server has answered. */
  get id(): string | null {
    return this.runId;
  }

  [Symbol.asyncIterator](): AsyncIterator<TaskListEvent> {
    return this.queue[Symbol.asyncIterator]();
  }

  async begin(): Promise<void> {
    if (this.options.signal?.aborted) {
      this.fail(new Error("aborted before start"));
      return;
    }
    try {
      await this.sendStart();
    } catch (error) {
      this.fail(error as Error);
    }
  }

  private sendStart(): Promise<unknown> {
    // onReply runs before any frame after the reply: the run's notifications find its id set.
    const onReply = (reply: TasksStartResult | TaskRunWire) => this.acknowledge(reply);
    const { start } = this;
    switch (start.method) {
      case "tasks.run":
        return this.rpc.request("tasks.run", start.params, { onReply });
      case "tasks.resume":
        return this.rpc.request("tasks.resume", start.params, { onReply });
      case "tasks.get":
        return this.rpc.request("tasks.get", start.params, { onReply });
    }
  }

  /** Cancels the run; resolves once the server has stopped it. */
  async cancel(): Promise<void> {
    const runId = this.runId ?? (await this.started).run_id;
    await this.rpc.request("tasks.cancel", { run_id: runId });
  }

  private readonly onAbort = (): void => {
    void this.cancel().catch(() => {});
  };

  private acknowledge(reply: TasksStartResult | TaskRunWire): void {
    this.runId = reply.run_id;
    if ("tasks" in reply) {
      // Watching a run (tasks.get): it may have ended already.
      this.startedSettle.resolve({
        run_id: reply.run_id,
        status: "running",
        name: reply.name,
        total: reply.total,
        start_task: reply.next_task ?? reply.total + 1,
        run_dir: reply.run_dir,
      });
      if (reply.status !== "running") {
        void this.completeFrom(reply);
        return;
      }
      this.attachedTo(reply);
      return;
    }
    this.startedSettle.resolve(reply);
    this.queue.push({
      type: "started",
      runId: reply.run_id,
      name: reply.name,
      total: reply.total,
      startTask: reply.start_task,
    });
  }

  /**
   * Watching a run under way: say so, and present its current task as started, so that its
   * output (which the server now sends) is routed and shown like that of the tasks to come.
   */
  private attachedTo(run: TaskRunWire): void {
    const current = run.tasks.find((t) => t.status === "running" || t.status === "waiting");
    this.queue.push({
      type: "started",
      runId: run.run_id,
      name: run.name,
      total: run.total,
      startTask: current?.index ?? run.next_task ?? run.total + 1,
      attached: true,
    });
    const attempt = current?.attempts.at(-1);
    if (!current || !attempt || current.status !== "running") return;
    const firstLine = current.name ?? current.text.trim().split("\n")[0] ?? "";
    this.taskStarted({
      run_id: run.run_id,
      index: current.index,
      total: run.total,
      name: current.name,
      title: firstLine.length > 80 ? `${firstLine.slice(0, 79)}…` : firstLine,
      kind: current.kind,
      // The wire counts attempts over every resume, the live count within this one: the
      // nearest honest figure that never reads "attempt 3 of 2".
      attempt: Math.min(attempt.attempt, current.max_attempts),
      max_attempts: current.max_attempts,
      execution_id: attempt.execution_id,
    } satisfies TaskStartedParams as unknown as Params);
  }

  private mine(params: Params): boolean {
    return this.runId !== null && params.run_id === this.runId && !this.finished;
  }

  private taskStarted(params: Params): void {
    if (!this.mine(params)) return;
    this.steps.set(String(params.execution_id), Number(params.index));
    this.emitTask("task.started", params);
  }

  private emitTask(type: "task.started" | "task.completed", params: Params): void {
    const runId = this.runId as string;
    if (type === "task.started") {
      this.queue.push({ type, runId, params: params as unknown as TaskStartedParams });
    } else {
      this.queue.push({ type, runId, params: params as unknown as TaskCompletedParams });
    }
  }

  private output(params: Params): void {
    if (this.finished) return;
    const executionId = String(params.execution_id);
    const index = this.steps.get(executionId);
    if (index === undefined || this.runId === null) return;
    this.queue.push({
      type: "output",
      runId: this.runId,
      index,
      executionId,
      stream: params.type === "stderr" ? "stderr" : "stdout",
      data: String(params.data),
    });
  }

  private async complete(params: Params): Promise<void> {
    if (this.runId === null) return;
    let run: TaskRunWire;
    try {
      run = await this.rpc.request("tasks.get", { run_id: this.runId });
    } catch (error) {
      this.fail(error as Error);
      return;
    }
    this.settle(run, params as unknown as TasklistCompletedParams);
  }

  private async completeFrom(run: TaskRunWire): Promise<void> {
    this.settle(run, {
      run_id: run.run_id,
      name: run.name,
      status: run.status,
      total: run.total,
      completed: run.completed,
      failed: run.failed,
      not_run: run.tasks.filter((t) => t.status === "pending").length,
      duration_ms: 0,
      cost_usd: run.cost_usd,
      run_dir: run.run_dir,
      error: run.error,
    });
  }

  private settle(run: TaskRunWire, done: TasklistCompletedParams): void {
    if (this.finished) return;
    const summary: TaskListSummary = {
      runId: run.run_id,
      status: done.status,
      success: done.status === "completed",
      completed: done.completed,
      failed: done.failed,
      notRun: done.not_run,
      costUsd: done.cost_usd,
      runDir: done.run_dir,
      error: done.error,
      run,
    };
    this.queue.push({ type: "completed", runId: run.run_id, summary });
    this.finish();
    this.resultSettle.resolve(summary);
  }

  /** After a reconnect: watch the run again; if it ended meanwhile, finish from its record. */
  private async reattach(): Promise<void> {
    if (this.finished || this.runId === null) return;
    try {
      const run = await this.rpc.request("tasks.get", {
        run_id: this.runId,
        subscribe: true,
        stream_output: this.start.params.stream_output !== false,
      });
      this.queue.push({ type: "reattached", runId: this.runId });
      if (run.status !== "running") await this.completeFrom(run);
    } catch (error) {
      this.fail(error as Error);
    }
  }

  private fail(error: Error): void {
    if (this.finished) return;
    this.finish();
    this.startedSettle.reject(error);
    this.resultSettle.reject(error);
  }

  private finish(): void {
    this.finished = true;
    this.options.signal?.removeEventListener("abort", this.onAbort);
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    this.queue.end();
  }
}

/** The params of `tasks.run` for a list value or a server-side path. */
export function taskListParams(
  listOrPath: unknown,
  options: TaskListOptions,
): ParamsOf<"tasks.run"> {
  const params: ParamsOf<"tasks.run"> =
    typeof listOrPath === "string" ? { path: listOrPath } : { list: listOrPath };
  if (options.baseDir !== undefined) params.base_dir = options.baseDir;
  if (options.runId !== undefined) params.run_id = options.runId;
  if (options.streamOutput !== undefined) params.stream_output = options.streamOutput;
  return params;
}
