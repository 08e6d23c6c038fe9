import type { SpawnSpec } from "../process/group-child.js";
import type { SilenceReport } from "./execution-event.js";
import type { ClaudeSummary, ExecutionResult } from "./execution-result.js";

/** How one process of an execution ended, as its owner sees it before the execution ends. */
export interface AttemptEnd {
  exitCode: number | null;
  signal: string | null;
  /** A spawn error, when the process could not start. */
  error: string | null;
  /** The status the owner already decided with `endWith`, if any. */
  decided: "completed" | "failed" | null;
}

/**
 * What ends the execution after a process ended: another process after a delay (a retry, same
 * execution id, output seq continuing), or a status decided by the owner.
 */
export type Settlement =
  | { retry: { spawn: SpawnSpec; delayMs: number } }
  | { status: "completed" | "failed"; error?: string };

/** What an owner adds to the execution's result. */
export interface OwnerSummary {
  claude?: ClaudeSummary;
}

/**
 * A feature that owns an execution (a Claude run, docs/claude.md) and decides what plain exit
 * codes cannot: whether an ended process is the end, what the result adds, and what a report
 * after silence says. Cancel, timeouts and shutdown are never the owner's call.
 */
export interface ExecutionOwner {
  /** The process ended on its own or by `endWith`; null lets the exit code decide. */
  settle?(ended: AttemptEnd): Settlement | null;
  /** What the owner adds to the result (e.g. `claude`), before anyone sees it. */
  summarize?(result: ExecutionResult): OwnerSummary | null;
  /** The message of a silence report (e.g. that the model is thinking). */
  silenceMessage?(report: SilenceReport): string;
}
