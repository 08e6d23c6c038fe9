/**
 * How a step and a run turned out: whether an attempt succeeded (exit 0, and for Claude an
 * answer that is not an error and carries its UUID), the error an attempt's record keeps when it
 * did not, and a run's final status and error once it stops. Pure, so the runner stays about
 * sequencing and durability.
 */
import type { ExecutionResult } from "../engine/execution-handle.js";
import type { TaskRunRecord, TaskState } from "../store/task-run-record.js";
import { INTERRUPTED_RUN_ERROR } from "./run-journal.js";

/** A step succeeded: exit 0, and for Claude a result that is not an error (and verified). */
export function succeeded(result: ExecutionResult): boolean {
  const claude = result.claude;
  return (
    result.status === "completed" && claude?.isError !== true && claude?.uuidVerified !== false
  );
}

/** What went wrong with an attempt, for its record and `task.completed`; null if it succeeded. */
export function failureOf(result: ExecutionResult): string | null {
  if (succeeded(result)) return null;
  const claude = result.claude;
  if (result.error) return result.error;
  if (result.status === "timed_out") {
    return `timed out (${result.timeoutKind === "idle" ? "no output for too long" : "wall-clock limit"})`;
  }
  if (result.status !== "completed") {
    if (result.exitCode !== null) return `exited with code ${result.exitCode}`;
    if (result.signal !== null) return `killed by ${result.signal}`;
    return result.status;
  }
  if (claude?.uuidVerified === false) return "the answer lacks its verification UUID";
  return `Claude answered with an error${claude?.failure ? ` (${claude.failure})` : ""}${claude?.result ? `: ${claude.result.slice(0, 300)}` : ""}`;
}

/**
 * The status and error a run ends with: `error` when the run itself broke (the journal could
 * not be written), else from its tasks and why it stopped.
 */
export function runOutcome(
  states: TaskState[],
  stopReason: "canceled" | "interrupted" | null,
  error: string | null,
): Pick<TaskRunRecord, "status" | "error"> {
  if (error !== null) return { status: "failed", error };
  if (states.every((s) => s.status === "completed")) return { status: "completed", error: null };
  if (stopReason) {
    return {
      status: stopReason,
      error: stopReason === "interrupted" ? INTERRUPTED_RUN_ERROR : "canceled",
    };
  }
  const failed = states.filter((s) => s.status === "failed").length;
  const first = states.findIndex((s) => s.status === "failed");
  return {
    status: "failed",
    error: `${failed} task${failed === 1 ? "" : "s"} failed (first: task ${first + 1}: ${states[first]?.error ?? "failed"})`,
  };
}
