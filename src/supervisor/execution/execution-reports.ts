/**
 * The result an ended execution gets: the status that why it ended (or its exit code) gives,
 * and the facts of its run.
 */
import type { FinalStatus } from "../../protocol/methods.js";
import type { ExecutionOutput } from "./execution-output.js";
import type { ExecutionResult } from "./execution-result.js";
import type { EndReason } from "./execution-spec.js";

/** The status an ended execution gets: the reason it was ended for, else its exit. */
export function finalStatus(
  reason: EndReason | null,
  error: string | null,
  exitCode: number | null,
): FinalStatus {
  if (reason) return reason.status;
  if (error) return "failed";
  return exitCode === 0 ? "completed" : "failed";
}

export interface EndFacts {
  executionId: string;
  status: FinalStatus;
  reason: EndReason | null;
  exitCode: number | null;
  signal: string | null;
  error: string | null;
  cause: Error | null;
  startedAt: Date | null;
  endedAt: Date;
  durationMs: number;
  output: ExecutionOutput;
}

export function executionResult(facts: EndFacts): ExecutionResult {
  const result: ExecutionResult = {
    executionId: facts.executionId,
    status: facts.status,
    exitCode: facts.exitCode,
    signal: facts.signal,
    durationMs: facts.durationMs,
    startedAt: facts.startedAt,
    endedAt: facts.endedAt,
    lastSeq: facts.output.lastSeq,
    stdoutBytes: facts.output.bytes.stdout,
    stderrBytes: facts.output.bytes.stderr,
  };
  if (facts.error !== null) result.error = facts.error;
  if (facts.cause !== null) result.cause = facts.cause;
  if (facts.reason?.status === "timed_out") result.timeoutKind = facts.reason.kind;
  return result;
}
