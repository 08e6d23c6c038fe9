/**
 * One attempt of a task in the run's record: created before its step starts, then filled in
 * from the step's domain result — status, time, cost, error — together with the task's
 * result as later tasks will see it.
 */
import type { ExecutionResult, OutputCapture } from "../engine/execution-handle.js";
import type { TaskAttempt, TaskState } from "../store/task-run-record.js";
import type { ResolvedTask } from "./task-list-schema.js";
import { failureOf } from "./task-outcome.js";
import { answerResult, commandResult } from "./task-result.js";

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

/**
 * Records how an attempt ended; returns the result text for the run's files: Claude's whole
 * answer, or a command's kept stdout (its whole output stays in the execution's history).
 */
export function recordAttempt(
  task: ResolvedTask,
  state: TaskState,
  attempt: TaskAttempt,
  ended: ExecutionResult,
  capture: OutputCapture,
  endedAtMs: number,
): string {
  const claude = ended.claude;
  attempt.status = ended.status;
  attempt.exitCode = ended.exitCode;
  attempt.endedAtMs = endedAtMs;
  attempt.durationMs = ended.durationMs;
  attempt.costUsd = claude?.costUsd ?? null;
  attempt.error = failureOf(ended);
  if (attempt.costUsd !== null) state.costUsd = (state.costUsd ?? 0) + attempt.costUsd;
  // A command's stdout was cut as it streamed; Claude's answer is whole until cut here.
  const answer = claude?.result ?? "";
  const result = task.kind === "command" ? commandResult(capture) : answerResult(answer);
  state.result = result.text;
  state.resultBytes = result.bytes;
  state.exitCode = ended.exitCode;
  state.claudeSessionId = claude?.sessionId ?? state.claudeSessionId;
  return task.kind === "command" ? result.text : answer;
}
