/**
 * The task-list journal (DESIGN §7): one record per run of a list, written whole before each
 * step and after it. Because the record is one value, "task N finished" and the move of the
 * cursor to N+1 land in the same write — a finished task can never be run again by a resume.
 */
import type { ExecutionStatus } from "../protocol/methods.js";
import type { ResolvedTaskList } from "../tasks/task-list-schema.js";

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
