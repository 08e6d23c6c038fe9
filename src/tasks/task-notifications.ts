/**
 * The params of a run's notifications (docs/protocol.md): `task.started`, `task.completed` and
 * `tasklist.completed`, built from the run's record as it stands when they are sent.
 */
import type {
  TaskCompletedParams,
  TasklistCompletedParams,
  TaskStartedParams,
} from "../protocol/tasks.js";
import type { TaskAttempt, TaskRunRecord, TaskState } from "../store/task-run-record.js";
import type { RunArtifacts } from "./run-artifacts.js";
import type { ResolvedTask } from "./task-list-schema.js";
import { runCost } from "./task-run-wire.js";

const PREVIEW_CHARS = 500;

/** The task's name, else the first line of its text, for progress displays. */
export function titleOf(task: ResolvedTask): string {
  const text = task.name ?? task.text.trim().split("\n")[0] ?? "";
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

/** `tryNumber`: the try of the task in this run or resume (1 … retries + 1). */
export function taskStartedParams(
  record: TaskRunRecord,
  index: number,
  attempt: TaskAttempt,
  tryNumber: number,
): TaskStartedParams {
  const task = record.list.tasks[index] as ResolvedTask;
  return {
    run_id: record.runId,
    index: index + 1,
    total: record.list.tasks.length,
    name: task.name,
    title: titleOf(task),
    kind: task.kind,
    // Counted in this run or resume; the attempt record keeps the number over all of them.
    attempt: tryNumber,
    max_attempts: task.retries + 1,
    execution_id: attempt.executionId,
  };
}

export function taskCompletedParams(
  record: TaskRunRecord,
  index: number,
  attempt: TaskAttempt,
  tryNumber: number,
  artifacts: RunArtifacts,
): TaskCompletedParams {
  const state = record.tasks[index] as TaskState;
  const finished = state.status === "completed" || state.status === "failed";
  return {
    ...taskStartedParams(record, index, attempt, tryNumber),
    status: state.status,
    attempt_status: attempt.status,
    exit_code: attempt.exitCode,
    duration_ms: attempt.durationMs,
    cost_usd: attempt.costUsd,
    run_cost_usd: runCost(record),
    result_preview: state.result === null ? null : state.result.slice(0, PREVIEW_CHARS),
    result_bytes: state.resultBytes,
    file: finished ? artifacts.taskMarkdown(index) : null,
    error: attempt.error,
  };
}

/** The run has ended (its record holds the final status and error). */
export function tasklistCompletedParams(
  record: TaskRunRecord,
  durationMs: number,
  runDir: string,
): TasklistCompletedParams {
  const states = record.tasks;
  return {
    run_id: record.runId,
    name: record.name,
    status: record.status,
    total: states.length,
    completed: states.filter((s) => s.status === "completed").length,
    failed: states.filter((s) => s.status === "failed").length,
    not_run: states.filter((s) => s.status === "pending").length,
    duration_ms: durationMs,
    cost_usd: runCost(record),
    run_dir: runDir,
    error: record.error,
  };
}
