/**
 * How a step and a run turned out: whether an attempt succeeded (exit 0, and for Claude an
 * answer that is not an error and carries its UUID), the error an attempt's record keeps when it
 * did not, and a run's final status and error once it stops. Pure, so the runner stays about
 * sequencing and durability.
 */
import type { ProcessCompletedParams } from "../protocol/notifications.js";
import type { TaskRunRecord, TaskState } from "../store/task-run-record.js";
import { INTERRUPTED_RUN_ERROR } from "./run-journal.js";

/** A step succeeded: exit 0, and for Claude a result that is not an error (and verified). */
export function succeeded(completion: ProcessCompletedParams): boolean {
  const claude = completion.claude;
  return (
    completion.status === "completed" &&
    claude?.is_error !== true &&
    claude?.uuid_verified !== false
  );
}

/** What went wrong with an attempt, for its record and `task.completed`; null if it succeeded. */
export function failureOf(completion: ProcessCompletedParams): string | null {
  if (succeeded(completion)) return null;
  const claude = completion.claude;
  if (completion.error) return completion.error;
  if (completion.status === "timed_out") {
    return `timed out (${completion.timeout_kind === "idle" ? "no output for too long" : "wall-clock limit"})`;
  }
  if (completion.status !== "completed") {
    if (completion.exit_code !== null) return `exited with code ${completion.exit_code}`;
    if (completion.signal !== null) return `killed by ${completion.signal}`;
    return completion.status;
  }
  if (claude?.uuid_verified === false) return "the answer lacks its verification UUID";
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
