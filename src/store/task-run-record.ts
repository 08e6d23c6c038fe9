/**
 * The task-list journal (DESIGN §7): one record per run of a list, written whole before each
 * step and after it. Because the record is one value, "task N finished" and the move of the
 * cursor to N+1 land in the same write — a finished task can never be run again by a resume.
 */
import type { ExecutionStatus } from "../protocol/methods.js";

/** One task as the runner sees it: defaults applied, cwd made absolute, durations in ms. */
export interface ResolvedTask {
  /** 0-based position; people and templates count from 1. */
  index: number;
  name: string | null;
  kind: "prompt" | "command";
  /** The prompt or command, templates not yet filled in. */
  text: string;
  cwd: string;
  timeoutMs: number | null;
  idleTimeoutMs: number | null;
  model: string | null;
  allowedTools: string[] | null;
  permissionMode: string | null;
  maxTurns: number | null;
  retries: number;
  verifyUuid: boolean;
  /**
   * A shell command run in the task's cwd after an attempt that otherwise completed; non-zero
   * fails the attempt (DESIGN §7). Absent in records written before it existed.
   */
  verify?: string | null;
  env: Record<string, string> | null;
  continueOnFailure: boolean;
  /** Where the task starts in its file, when it came from one. */
  line: number | null;
}

export type TaskListFormat = "markdown" | "json" | "yaml" | "inline";

export interface ResolvedTaskList {
  name: string | null;
  description: string | null;
  /** The file it was read from (absolute), or null for an API value. */
  sourcePath: string | null;
  format: TaskListFormat;
  /** Relative `cwd`s were resolved against this: the file's folder, or the caller's choice. */
  baseDir: string;
  /** The list's own setting (each task has its effective value too). */
  continueOnFailure: boolean;
  retryDelayMs: number;
  tasks: ResolvedTask[];
}

export type TaskRunStatus = "running" | "completed" | "failed" | "canceled" | "interrupted";

export const TASK_RUN_STATUSES: readonly TaskRunStatus[] = [
  "running",
  "completed",
  "failed",
  "canceled",
  "interrupted",
];

/**
 * `pending` (not started — also when the list stopped before it), `running`, `waiting` (between
 * attempts), then `completed`, `failed`, `canceled`, `interrupted` (the server stopped during
 * it; a resume runs it again).
 */
export type TaskStatus =
  | "pending"
  | "running"
  | "waiting"
  | "completed"
  | "failed"
  | "canceled"
  | "interrupted";

export interface TaskAttempt {
  /** 1-based. */
  attempt: number;
  executionId: string;
  /** The execution's status; `refused` when it could not be started (bad cwd, hook veto…). */
  status: ExecutionStatus | "refused";
  exitCode: number | null;
  startedAtMs: number;
  endedAtMs: number | null;
  durationMs: number | null;
  costUsd: number | null;
  error: string | null;
  /** Why a completed execution still failed the attempt: its `verify` check did not pass. */
  reason?: "verify_failed";
}

export interface TaskState {
  status: TaskStatus;
  attempts: TaskAttempt[];
  /** What later tasks read as `{{tasks.N.result}}`, bounded (see docs/tasks.md). */
  result: string | null;
  /** Size in bytes of the whole result before it was bounded. */
  resultBytes: number;
  exitCode: number | null;
  /** Summed over attempts. */
  costUsd: number | null;
  claudeSessionId: string | null;
  /** The prompt or command as it ran, templates filled in. */
  rendered: string | null;
  startedAtMs: number | null;
  endedAtMs: number | null;
  error: string | null;
}

/** The server process that runs (or ran) the list, to tell a dead owner from a live one. */
export interface TaskRunOwner {
  host: string;
  bootId: string;
  serverPid: number;
  serverStartTicks: string | null;
}

export interface TaskRunRecord {
  runId: string;
  name: string | null;
  status: TaskRunStatus;
  list: ResolvedTaskList;
  tasks: TaskState[];
  /** Index of the first task not finished; `tasks.length` once all are. */
  cursor: number;
  owner: TaskRunOwner;
  /** The connection that started (or last resumed) it. */
  sessionId: string | null;
  createdAtMs: number;
  updatedAtMs: number;
  endedAtMs: number | null;
  /** How many times `tasks resume` continued it. */
  resumes: number;
  error: string | null;
}

export interface TaskRunQuery {
  limit: number;
  statuses?: TaskRunStatus[];
}
