/**
 * One attempt of a task in the run's record: created before its step starts, then filled in
 * from the step's `process.completed` — status, time, cost, error — together with the task's
 * result as later tasks will see it.
 */
import type { ProcessCompletedParams } from "../protocol/notifications.js";
import type { TaskAttempt, TaskState } from "../store/task-run-record.js";
import type { OutputCapture } from "../supervisor/output/output-capture.js";
import type { ResolvedTask } from "./task-list-schema.js";
import { failureOf } from "./task-outcome.js";
import { bounded, captured } from "./task-result.js";

/** The next attempt of task `index` (its execution id numbers attempts over all resumes). */
export function newAttempt(
  runId: string,
  index: number,
  state: TaskState,
  startedAtMs: number,
): TaskAttempt {
  return {
    attempt: state.attempts.length + 1,
    executionId: `${runId}-t${index + 1}-a${state.attempts.length + 1}`,
    status: "queued",
    exitCode: null,
    startedAtMs,
    endedAtMs: null,
    durationMs: null,
    costUsd: null,
    error: null,
  };
}

/** Records how an attempt ended; returns the attempt's whole result text. */
export function recordAttempt(
  task: ResolvedTask,
  state: TaskState,
  attempt: TaskAttempt,
  completion: ProcessCompletedParams,
  capture: OutputCapture,
  endedAtMs: number,
): string {
  const claude = completion.claude;
  attempt.status = completion.status;
  attempt.exitCode = completion.exit_code;
  attempt.endedAtMs = endedAtMs;
  attempt.durationMs = completion.duration_ms;
  attempt.costUsd = claude?.cost_usd ?? null;
  attempt.error = failureOf(completion);
  if (attempt.costUsd !== null) state.costUsd = (state.costUsd ?? 0) + attempt.costUsd;
  const full = task.kind === "command" ? captured(capture) : (claude?.result ?? "");
  state.result = bounded(full);
  state.resultBytes = Buffer.byteLength(full);
  state.exitCode = completion.exit_code;
  state.claudeSessionId = claude?.session_id ?? state.claudeSessionId;
  return full;
}
