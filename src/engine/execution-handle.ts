/**
 * What a caller holds of an execution it started (or found): who it is, how it stands, its one
 * result, control, and its events — never the supervisor's Execution itself, so the same handle
 * can stand for an execution on another machine (the queued engine, DESIGN §12).
 *
 * The domain types a caller needs are re-exported here, so callers above the engine (task lists,
 * the server) depend on the engine, not on the supervisor's files.
 */
import type { ExecutionStatus } from "../protocol/methods.js";
import type { ExecutionListener } from "../supervisor/execution/execution-listener.js";
import type { ExecutionOutput } from "../supervisor/execution/execution-output.js";
import type { ExecutionResult } from "../supervisor/execution/execution-result.js";
import type { ExecutionSpec } from "../supervisor/execution/execution-spec.js";
import type { Spool } from "../supervisor/spool/spool.js";

export type { ClaudeNotice, ExecutionEvent } from "../supervisor/execution/execution-event.js";
export type { ExecutionListener } from "../supervisor/execution/execution-listener.js";
export type { ClaudeSummary, ExecutionResult } from "../supervisor/execution/execution-result.js";
export type { ExecutionSpec } from "../supervisor/execution/execution-spec.js";
/** For listeners that keep the head and tail of an output (a task step's result). */
export { OutputCapture } from "../supervisor/output/output-capture.js";
export type { OutputChunk } from "../supervisor/output/output-chunk.js";

/** The output a late subscriber replays: the memory window, then the spool on disk. */
export type OutputView = Pick<ExecutionOutput, "lastSeq" | "bytes" | "window">;
export type SpoolView = Pick<
  Spool,
  "dir" | "read" | "backlogBytes" | "error" | "readableFromStart" | "flushed"
>;

export interface ExecutionHandle {
  readonly id: string;
  /** What was asked: kind, command or prompt, cwd, limits, who it is for. */
  readonly spec: ExecutionSpec;
  readonly status: ExecutionStatus;
  readonly pid: number | null;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly submittedAt: Date;
  readonly startedAt: Date | null;
  readonly endedAt: Date | null;
  readonly isFinal: boolean;
  /** Set once it has ended; `done` resolves with the same. */
  readonly result: ExecutionResult | null;
  readonly done: Promise<ExecutionResult>;
  readonly output: OutputView;
  readonly spool: SpoolView | null;
  /** The worker that runs it in queue mode (DESIGN §12); absent or null for this machine. */
  readonly workerId?: string | null;
  /** Each false when the execution is not in a state to do it (e.g. already ended). */
  cancel(): boolean;
  pause(): boolean;
  resume(): boolean;
  addListener(listener: ExecutionListener): void;
  removeListener(listener: ExecutionListener): void;
}
