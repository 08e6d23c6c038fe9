/**
 * Runs one task list, strictly in order, inside the server (DESIGN §1, §7). Each task is a fresh
 * process (a shell command or a `claude` run) started through the engine, so the run goes on
 * whoever is watching — or nobody.
 *
 * Durability: before a step starts, the run's record says "task N, attempt k, running" and the
 * write is awaited; when it ends, "task N completed" and "cursor N+1" are ONE write. After a crash
 * a resume starts at the cursor: a completed task is never run twice.
 *
 * A failed attempt is retried (`retries`) after a backoff that doubles from `retry_delay` (up to
 * 5 minutes, with jitter); an attempt that could not start (a hook veto, a missing cwd, a bad
 * template) is not. A failed task stops the list unless `continue_on_failure`.
 */

import { setTimeout as sleep } from "node:timers/promises";
import { type ExecutionHandle, OutputCapture } from "../engine/execution-handle.js";
import type { Logger } from "../log/logger.js";
import { backoffMs } from "../protocol/backoff.js";
import { MAX_ARG_BYTES } from "../protocol/methods.js";
import type { TaskCompletedParams, TaskStartedParams } from "../protocol/tasks.js";
import type { TaskAttempt, TaskRunRecord, TaskState } from "../store/task-run-record.js";
import type { RunArtifacts } from "./run-artifacts.js";
import type { RunJournal } from "./run-journal.js";
import { newAttempt, recordAttempt } from "./task-attempt.js";
import type { ResolvedTask } from "./task-list-schema.js";
import {
  taskCompletedParams,
  tasklistCompletedParams,
  taskStartedParams,
} from "./task-notifications.js";
import { runOutcome, succeeded } from "./task-outcome.js";
import { RESULT_MAX_BYTES } from "./task-result.js";
import { renderTaskText, stepRequest } from "./task-step-input.js";
import type { StepRequest, TaskStepExecutor } from "./task-steps.js";
import { verifyAttempt } from "./task-verify.js";

export interface RunnerDeps {
  journal: RunJournal;
  artifacts: RunArtifacts;
  steps: TaskStepExecutor;
  /** Sends a run notification to whoever watches the run. */
  emit(method: string, params: object): void;
  /** A step's execution was admitted: watchers may follow its output (replayed from its start). */
  stepStarted(execution: ExecutionHandle, index: number): void;
  logger: Logger;
  now?: () => number;
  random?: () => number;
}

type TaskEnd = "completed" | "failed" | "stopped";

/** Retries double from the list's `retry_delay` up to this, then wait up to 25 % more. */
const MAX_RETRY_DELAY_MS = 5 * 60 * 1000;
const RETRY_JITTER = 0.25;

export class TaskRunner {
  /** The step running now, if any. */
  current: ExecutionHandle | null = null;
  private stopReason: "canceled" | "interrupted" | null = null;
  /** The try of the current task in this run (or resume): 1 … retries + 1. */
  private currentTry = 1;
  /** Aborted by a cancel or the server stopping: cuts a retry's wait short. */
  private readonly wake = new AbortController();
  /** Aborted by a cancel only: the step under way (even one still in its hooks) is canceled. */
  private readonly canceling = new AbortController();
  private readonly now: () => number;
  private readonly startedMs: number;

  constructor(
    readonly record: TaskRunRecord,
    private readonly deps: RunnerDeps,
  ) {
    this.now = deps.now ?? Date.now;
    this.startedMs = this.now();
  }

  /** Runs from the record's cursor to the end (or a stop); resolves with the final record. */
  async run(): Promise<TaskRunRecord> {
    const { record } = this;
    try {
      for (let i = record.cursor; i < record.list.tasks.length; i++) {
        if (this.stopReason) break;
        // Never twice: a finished task stays finished, whatever the cursor says.
        if (record.tasks[i]?.status === "completed") continue;
        const end = await this.runTask(i);
        if (end === "stopped") break;
        if (end === "failed" && !record.list.tasks[i]?.continueOnFailure) break;
      }
      await this.finish(null);
    } catch (error) {
      // The journal could not be written (or a bug): no further step may start.
      this.deps.logger.error({ err: error, run_id: record.runId }, "task list failed");
      await this.finish(`the run stopped: ${(error as Error).message}`).catch(() => {});
    }
    return record;
  }

  /** `tasks.cancel`: the step under way is canceled and no other starts. */
  cancel(): void {
    if (this.stopReason) return;
    this.stopReason = "canceled";
    this.wake.abort();
    this.canceling.abort();
  }

  /** The server is stopping: it interrupts the step under way itself; no other starts. */
  interrupt(): void {
    if (this.stopReason) return;
    this.stopReason = "interrupted";
    this.wake.abort();
  }

  private async runTask(index: number): Promise<TaskEnd> {
    const { record } = this;
    const task = record.list.tasks[index] as ResolvedTask;
    const state = record.tasks[index] as TaskState;
    const budget = task.retries + 1;
    state.startedAtMs ??= this.now();
    for (let n = 1; n <= budget; n++) {
      this.currentTry = n;
      if (this.stopReason) return this.stopped(index, null);
      const attempt = newAttempt(record.runId, index, state, this.now());
      let text: string;
      try {
        text = renderTaskText(record, task, this.deps.artifacts);
      } catch (error) {
        return this.refused(index, attempt, `templates: ${(error as Error).message}`);
      }
      state.attempts.push(attempt);
      state.status = "running";
      state.rendered = text;
      state.error = null;
      state.endedAtMs = null;
      record.cursor = index;
      await this.deps.journal.save(record);
      this.deps.emit("task.started", this.startedParams(index, attempt));
      if (task.kind === "prompt" && Buffer.byteLength(text) > MAX_ARG_BYTES) {
        return this.refused(
          index,
          attempt,
          `the prompt is ${Buffer.byteLength(text)} bytes with its templates filled in, over the ${MAX_ARG_BYTES}-byte limit of one argument: refer to an earlier result by its file ({{tasks.N.file}}) instead`,
        );
      }
      const capture = new OutputCapture("utf8", RESULT_MAX_BYTES / 2, RESULT_MAX_BYTES / 2);
      const step = stepRequest(record, index, text, attempt, capture, this.deps);
      let execution: ExecutionHandle;
      try {
        execution = await this.start(index, step);
      } catch (error) {
        if (this.stopReason) return this.stopped(index, attempt);
        return this.refused(index, attempt, (error as Error).message);
      }
      this.current = execution;
      const ended = await execution.done;
      this.current = null;
      const fullResult = recordAttempt(task, state, attempt, ended, capture, this.now());
      if (succeeded(ended)) {
        const failed = await this.verify(index, task, attempt, step, fullResult);
        if (failed === null) return this.completeTask(index, fullResult);
        attempt.status = "failed";
        attempt.reason = "verify_failed";
        attempt.error = failed;
      }
      if (ended.status === "canceled" || ended.status === "interrupted") {
        return this.stopped(index, attempt, ended.status);
      }
      if (this.stopReason) return this.stopped(index, attempt);
      if (n < budget) {
        const delayMs = backoffMs({
          attempt: n,
          baseMs: record.list.retryDelayMs,
          maxMs: MAX_RETRY_DELAY_MS,
          jitter: RETRY_JITTER,
          random: this.deps.random,
        });
        state.status = "waiting";
        await this.deps.journal.save(record);
        this.deps.emit("task.completed", {
          ...this.completedParams(index, attempt),
          retry_in_ms: delayMs,
        });
        // A cancel or the server stopping cuts the wait short (the loop then sees why).
        await sleep(delayMs, undefined, { signal: this.wake.signal }).catch(() => {});
        continue;
      }
      return this.failTask(index, attempt, fullResult, attempt.error);
    }
    return "failed";
  }

  private async start(index: number, step: StepRequest): Promise<ExecutionHandle> {
    const execution = await this.deps.steps.start({ ...step, signal: this.canceling.signal });
    this.deps.stepStarted(execution, index);
    return execution;
  }

  /** The task's `verify` check after an attempt that completed: null when passed (or none). */
  private async verify(
    index: number,
    task: ResolvedTask,
    attempt: TaskAttempt,
    step: StepRequest,
    fullResult: string,
  ): Promise<string | null> {
    if (!task.verify) return null;
    return verifyAttempt({
      task,
      attempt,
      step: { ...step, signal: this.canceling.signal },
      resultFile: this.deps.artifacts.writeAttemptResult(index, attempt.attempt, fullResult),
      steps: this.deps.steps,
      started: (execution) => {
        this.current = execution;
      },
    });
  }

  private async completeTask(index: number, fullResult: string): Promise<TaskEnd> {
    const { record } = this;
    const state = record.tasks[index] as TaskState;
    state.status = "completed";
    state.endedAtMs = this.now();
    state.error = null;
    this.deps.artifacts.writeTask(record, index, fullResult);
    // "Task N finished" and the cursor past it: one write.
    record.cursor = index + 1;
    await this.deps.journal.save(record);
    this.emitCompleted(index);
    return "completed";
  }

  private async failTask(
    index: number,
    attempt: TaskAttempt,
    fullResult: string | null,
    error: string | null,
  ): Promise<TaskEnd> {
    const { record } = this;
    const task = record.list.tasks[index] as ResolvedTask;
    const state = record.tasks[index] as TaskState;
    state.status = "failed";
    state.endedAtMs = this.now();
    state.error = error ?? "failed";
    if (attempt.error === null) attempt.error = state.error;
    this.deps.artifacts.writeTask(record, index, fullResult);
    // With continue_on_failure a failed task is finished; otherwise a resume runs it again.
    record.cursor = task.continueOnFailure ? index + 1 : index;
    await this.deps.journal.save(record);
    this.emitCompleted(index);
    return "failed";
  }

  /** The attempt never became an execution: a failure that another attempt would repeat. */
  private async refused(index: number, attempt: TaskAttempt, error: string): Promise<TaskEnd> {
    const state = this.record.tasks[index] as TaskState;
    if (!state.attempts.includes(attempt)) {
      state.attempts.push(attempt);
      this.deps.emit("task.started", this.startedParams(index, attempt));
    }
    attempt.status = "refused";
    attempt.endedAtMs = this.now();
    attempt.error = error;
    return this.failTask(index, attempt, null, error);
  }

  private async stopped(
    index: number,
    attempt: TaskAttempt | null,
    status?: "canceled" | "interrupted",
  ): Promise<TaskEnd> {
    const { record } = this;
    const state = record.tasks[index] as TaskState;
    const reason = status ?? this.stopReason ?? "interrupted";
    this.stopReason ??= reason;
    if (attempt && attempt.endedAtMs === null) {
      attempt.status = reason;
      attempt.endedAtMs = this.now();
    }
    state.status = reason;
    state.endedAtMs = this.now();
    record.cursor = index;
    await this.deps.journal.save(record);
    if (attempt) this.emitCompleted(index);
    return "stopped";
  }

  private async finish(error: string | null): Promise<void> {
    const { record } = this;
    const outcome = runOutcome(record.tasks, this.stopReason, error);
    record.status = outcome.status;
    record.error = outcome.error;
    record.endedAtMs = this.now();
    try {
      await this.deps.journal.save(record);
      this.deps.artifacts.writeRun(record);
    } finally {
      const durationMs = this.now() - this.startedMs;
      this.deps.emit(
        "tasklist.completed",
        tasklistCompletedParams(record, durationMs, this.deps.artifacts.dir),
      );
    }
  }

  private startedParams(index: number, attempt: TaskAttempt): TaskStartedParams {
    return taskStartedParams(this.record, index, attempt, this.currentTry);
  }

  private completedParams(index: number, attempt: TaskAttempt): TaskCompletedParams {
    return taskCompletedParams(this.record, index, attempt, this.currentTry, this.deps.artifacts);
  }

  private emitCompleted(index: number): void {
    const state = this.record.tasks[index] as TaskState;
    const attempt = state.attempts[state.attempts.length - 1];
    if (attempt) this.deps.emit("task.completed", this.completedParams(index, attempt));
  }
}
