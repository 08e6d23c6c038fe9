/**
 * The wire forms of an execution: its summary (`executions.list`) and its one
 * `process.completed`, with the final status that why it ended (or its exit code) gives.
 */
import type { FinalStatus } from "../../protocol/methods.js";
import type { ProcessCompletedParams } from "../../protocol/notifications.js";
import type { ExecutionSummary } from "../../protocol/results.js";
import type { Execution } from "./execution.js";
import type { EndReason } from "./execution-spec.js";

export function executionSummary(execution: Execution): ExecutionSummary {
  return {
    execution_id: execution.id,
    command: execution.spec.command,
    status: execution.status,
    pid: execution.pid,
    pgid: execution.pid,
    cwd: execution.spec.spawn.cwd,
    started_at: execution.startedAt?.toISOString() ?? null,
    ended_at: execution.endedAt?.toISOString() ?? null,
    exit_code: execution.exitCode,
    signal: execution.signal,
    last_seq: execution.output.lastSeq,
    stdout_bytes: execution.output.bytes.stdout,
    stderr_bytes: execution.output.bytes.stderr,
    session_id: execution.spec.sessionId,
  };
}

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

/** `process.completed` of an execution that ended with `status` after `durationMs`. */
export function completedParams(
  execution: Execution,
  status: FinalStatus,
  durationMs: number,
  reason: EndReason | null,
): ProcessCompletedParams {
  const completion: ProcessCompletedParams = {
    execution_id: execution.id,
    status,
    exit_code: execution.exitCode,
    signal: execution.signal,
    execution_time: Math.round(durationMs) / 1000,
    duration_ms: Math.round(durationMs * 1000) / 1000,
    last_seq: execution.output.lastSeq,
    stdout_bytes: execution.output.bytes.stdout,
    stderr_bytes: execution.output.bytes.stderr,
  };
  if (execution.error) completion.error = execution.error;
  if (reason?.status === "timed_out") completion.timeout_kind = reason.kind;
  return completion;
}
