/**
 * How an execution ended, in one shape whatever ended it (exit, cancel, a timeout, a spawn
 * error, shutdown) — like execa's result: a process that exits non-zero is a result, not an
 * exception. The server turns it into the one `process.completed` (server/wire/); history, hooks
 * and task lists read it as it is.
 */
import type { FinalStatus } from "../../protocol/methods.js";
import type { ClaudeFailure } from "../../protocol/notifications.js";

export interface ExecutionResult {
  executionId: string;
  status: FinalStatus;
  exitCode: number | null;
  signal: string | null;
  /** From the start of the first process to the end (0 when it never started). */
  durationMs: number;
  startedAt: Date | null;
  endedAt: Date;
  /** The seq of the last output chunk (0: no output). */
  lastSeq: number;
  stdoutBytes: number;
  stderrBytes: number;
  /** Which limit fired, when the status is `timed_out`. */
  timeoutKind?: "wall" | "idle";
  /** Why it failed when the exit code does not say: a spawn error, the owner's verdict. */
  error?: string;
  /** The error the process could not be started with. */
  cause?: Error;
  /** The worker that ran it (DESIGN §12); absent when it ran on this machine ("local"). */
  workerId?: string;
  /** What the execution's owner added: a Claude run's summary (claude/claude-run.ts). */
  claude?: ClaudeSummary;
}

/**
 * What a Claude run's last `result` event said, over all its attempts. Declared here as data: the
 * supervisor carries what its owner returns (ExecutionOwner.summarize) and knows nothing of Claude.
 */
export interface ClaudeSummary {
  sessionId: string | null;
  /** The text of the last result (the last assistant turn), null when there was none. */
  result: string | null;
  isError: boolean;
  /** `success`, `error_max_turns`, …; null when no result came. */
  subtype: string | null;
  /** What all attempts cost together. */
  costUsd: number | null;
  usage: Record<string, unknown> | null;
  numTurns: number | null;
  /** How many processes ran (1 + retries used). */
  attempts: number;
  /** With verify_uuid: whether the final result contains the UUID. */
  uuidVerified?: boolean;
  /** Why the run failed, when it did. */
  failure?: ClaudeFailure;
}
