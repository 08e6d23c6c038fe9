/**
 * The history store (DESIGN §1 part 4, issue 4): what is recorded about executions and
 * connections, the running-executions journal, and the one interface that the SQLite, Redis and
 * in-memory stores implement. One conformance suite (test/store-conformance.test.ts) pins the
 * behaviour every implementation must share.
 *
 * Times are epoch milliseconds (`…AtMs`), durations milliseconds (`…Ms`). Records are written
 * whole: `apply` of an execution record replaces the stored one, its output included.
 */
import type { ExecutionKind, TimeoutSource } from "../protocol/history.js";
import type { ExecutionStatus } from "../protocol/methods.js";
import type { CapturedOutput } from "../supervisor/output/output-capture.js";
import type { TaskRunQuery, TaskRunRecord } from "./task-run-record.js";

// Declared with the history wire shapes, which carry them too.
export type { ExecutionKind, TimeoutSource };

/** Claude's `result` event, as recorded (DESIGN §6). */
export interface ClaudeRunRecord {
  sessionId: string | null;
  subtype: string | null;
  isError: boolean | null;
  costUsd: number | null;
  numTurns: number | null;
  usage: Record<string, unknown> | null;
}

/** A failure pattern noticed during the run (token limit, rate limit, …), DESIGN §6. */
export interface Detection {
  /** The notification that reported it, e.g. `error.token_limit_exceeded`. */
  type: string;
  atMs: number;
  details: Record<string, unknown>;
}

/** The start and end of an execution's output, kept in the store (the spool holds all of it). */
/** The head and tail of an execution's output that the store keeps. */
export type StoredOutput = CapturedOutput;

export interface ExecutionRecord {
  executionId: string;
  kind: ExecutionKind;
  /** The command line, or the prompt for Claude runs. */
  command: string;
  /** Normalised key that groups runs of "the same" command, for timeout learning. */
  commandClass: string;
  cwd: string;
  /** The connection that started it, and that connection's peer address. */
  sessionId: string | null;
  peer: string | null;
  /** The machine whose server ran it (several servers may share one Redis). */
  host: string;
  /** Where it ran: a worker's name (DESIGN §12), or "local" (also for records from before workers). */
  workerId: string;
  status: ExecutionStatus;
  exitCode: number | null;
  signal: string | null;
  pid: number | null;
  createdAtMs: number;
  startedAtMs: number | null;
  endedAtMs: number | null;
  durationMs: number | null;
  stdoutBytes: number;
  stderrBytes: number;
  timeoutMs: number | null;
  timeoutSource: TimeoutSource;
  idleTimeoutMs: number | null;
  /** The execution's spool folder; its files may be gone (evicted, retention). */
  spoolDir: string | null;
  claude: ClaudeRunRecord | null;
  detections: Detection[];
  error: string | null;
  /** Present on `getExecution` when recorded; listings leave it out (it is the large part). */
  output?: StoredOutput;
}

export interface ConnectionRecord {
  sessionId: string;
  peer: string;
  host: string;
  startedAtMs: number;
  endedAtMs: number | null;
  executionCount: number;
}

/**
 * One execution this server owns that has not ended. At start-up, entries left by a server that
 * is gone are marked `interrupted` and their groups killed — but only when the recorded process
 * start time still matches, so a reused pid is never killed.
 */
export interface JournalEntry {
  executionId: string;
  host: string;
  /** /proc/sys/kernel/random/boot_id: pids and start times mean nothing across reboots. */
  bootId: string;
  serverPid: number;
  /** /proc/<pid>/stat field 22 (clock ticks since boot), as a decimal string. */
  serverStartTicks: string | null;
  /** Null while queued. */
  pid: number | null;
  pgid: number | null;
  startTicks: string | null;
  createdAtMs: number;
}

export interface HistoryQuery {
  limit: number;
  offset?: number;
  statuses?: ExecutionStatus[];
  kind?: ExecutionKind;
  /** Only executions created at or after this time. */
  sinceMs?: number;
}

export interface StatsQuery {
  sinceMs?: number;
  /** How many command classes to report, most runs first (default 10). */
  topClasses?: number;
}

export interface ClassStats {
  commandClass: string;
  runs: number;
  completed: number;
  /** Mean duration of the completed runs. */
  meanMs: number | null;
  maxMs: number | null;
}

export interface HistoryStats {
  total: number;
  byStatus: Partial<Record<ExecutionStatus, number>>;
  byKind: Partial<Record<ExecutionKind, number>>;
  /** Over every execution with a duration; percentiles are nearest-rank. */
  durationMs: { count: number; meanMs: number; p50Ms: number; p90Ms: number; maxMs: number } | null;
  stdoutBytes: number;
  stderrBytes: number;
  costUsd: number;
  firstCreatedAtMs: number | null;
  lastCreatedAtMs: number | null;
  topClasses: ClassStats[];
}

export type WriteOp =
  | { type: "execution"; record: ExecutionRecord }
  | { type: "connection"; record: ConnectionRecord }
  | { type: "journal.put"; entry: JournalEntry }
  | { type: "journal.remove"; executionId: string }
  | { type: "taskrun"; record: TaskRunRecord };

export interface PruneOptions {
  /** Ended executions (and closed connections) created before this time are deleted. */
  olderThanMs?: number;
  /** Then the oldest ended ones are deleted until at most this many remain. */
  keepRows?: number;
}

export interface PruneResult {
  executions: number;
  connections: number;
}

export interface Store {
  readonly kind: "sqlite" | "redis" | "memory";
  /** Applies the writes in order, in one transaction where the backend has them. */
  apply(ops: readonly WriteOp[]): Promise<void>;
  getExecution(executionId: string): Promise<ExecutionRecord | null>;
  /** Newest first (by creation time), without output. */
  listExecutions(query: HistoryQuery): Promise<ExecutionRecord[]>;
  /** Ids starting with `prefix` (for ids typed short), in id order, at most `limit`. */
  findExecutionIds(prefix: string, limit: number): Promise<string[]>;
  countExecutions(): Promise<number>;
  stats(query?: StatsQuery): Promise<HistoryStats>;
  /** Newest first. */
  listConnections(limit: number): Promise<ConnectionRecord[]>;
  journal(): Promise<JournalEntry[]>;
  /** Durations of the latest `completed` runs of a class, most recently ended first. */
  recentDurations(commandClass: string, limit: number): Promise<number[]>;
  /** Never deletes executions that have not ended. */
  prune(options: PruneOptions): Promise<PruneResult>;
  /** A task-list run (the whole record), or null. */
  getTaskRun(runId: string): Promise<TaskRunRecord | null>;
  /** Newest first (by creation time). */
  listTaskRuns(query: TaskRunQuery): Promise<TaskRunRecord[]>;
  /** Run ids starting with `prefix`, in id order, at most `limit`. */
  findTaskRunIds(prefix: string, limit: number): Promise<string[]>;
  close(): Promise<void>;
}

export const DEFAULT_TOP_CLASSES = 10;
