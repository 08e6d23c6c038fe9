/**
 * The one way an execution is started, whoever asks (DESIGN §1 part 10, §10): RPC methods,
 * `/ws/claude`, task lists, and later the MCP server and workers. `start` owns everything between
 * a request and a running process — validation, pre-hooks, ALLOWED_COMMANDS, the cwd check, the
 * timeout decision, the child's environment, the spec, admission and the audit record — for
 * shell commands and Claude prompts alike. LocalEngine runs executions on this machine; a queued
 * engine (workers, §12) will implement the same interface.
 */
import type { TaskRef } from "../protocol/hooks.js";
import type { ClaudeExecuteRequest, ExecuteRequest, ExecutionStatus } from "../protocol/methods.js";
import type { WorkerStatus } from "../protocol/results.js";
import type { ExecutionHandle, ExecutionListener } from "./execution-handle.js";

/** A shell command (`execute`'s params) or a Claude prompt (`claude.execute`'s). */
export type ExecutionRequest =
  | { kind: "command"; params: ExecuteRequest }
  | { kind: "claude"; params: ClaudeExecuteRequest };

export interface StartContext {
  /** Who the execution is for: the session and task-list step hooks and warnings name. */
  origin: { sessionId: string | null; task: TaskRef | null };
  /** The connection whose caps it counts against and which it dies with (kill_on_disconnect). */
  sessionId: string | null;
  /** Who asked, for the audit log when not a connection (e.g. "task-list <id> task 2"). */
  who?: string;
  /** Aborting it cancels the execution (before admission: `start` rejects with the reason). */
  signal?: AbortSignal;
  /** Attached before the process starts, so it misses nothing (a task step's output capture). */
  listener?: ExecutionListener;
}

export interface StartedExecution {
  handle: ExecutionHandle;
  /** Its place in the queue when the global cap made it wait; null when it started. */
  queuedAt: number | null;
}

export interface EngineObserver {
  /** Before its process starts: nothing it does is missed. */
  created?(execution: ExecutionHandle): void;
  ended?(execution: ExecutionHandle): void;
}

export interface EngineLoad {
  running: number;
  queued: number;
  /** Executions held for listing and replay, running or ended. */
  retained: number;
  limits: { maxConcurrent: number; maxPerConnection: number; maxQueue: number };
}

/** Queue mode's view of where work runs (DESIGN §12): the queue's Redis and the live workers. */
export interface ClusterStatus {
  queue: { url: string; prefix: string; connected: boolean; error: string | null };
  workers: WorkerStatus[];
}

export interface ExecutionEngine {
  /**
   * Starts the request, or queues it past the global cap. Rejects with a DomainError
   * (runtime/domain-error.ts) when it is invalid, not allowed, vetoed or past a limit.
   */
  start(request: ExecutionRequest, context: StartContext): Promise<StartedExecution>;
  get(executionId: string): ExecutionHandle | undefined;
  /** Newest first. */
  list(filter: {
    status?: ExecutionStatus[];
    sessionId?: string;
    limit: number;
  }): ExecutionHandle[];
  observe(observer: EngineObserver): void;
  load(): EngineLoad;
  /** Queue mode only: the queue and its workers (server.status). */
  cluster?(): ClusterStatus;
  /** Interrupts everything queued or running and waits until each has ended. */
  shutdown(): Promise<void>;
}
