/**
 * Runs one task list, strictly in order, inside the server (DESIGN §1, §7). Each task is a fresh
 * process (a shell command or a `claude` run) started through the supervisor, so the run goes on
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
import type { Logger } from "../log/logger.js";
import { MAX_ARG_BYTES } from "../protocol/methods.js";
import type { ProcessCompletedParams } from "../protocol/notifications.js";
import type { TaskCompletedParams, TaskStartedParams } from "../protocol/tasks.js";
import { OutputCapture } from "../store/output-capture.js";
import type { TaskAttempt, TaskRunRecord, TaskState } from "../store/task-run-record.js";
import type { Execution } from "../supervisor/execution.js";
import type { RunArtifacts } from "./run-artifacts.js";
import { INTERRUPTED_RUN_ERROR, type RunJournal } from "./run-journal.js";
import type { ResolvedTask } from "./task-list-schema.js";
import { runCost } from "./task-run-wire.js";
import type { TaskStepExecutor } from "./task-steps.js";
import { renderTemplate, type TaskValues } from "./templating.js";

/** A result (stdout of a command, answer of Claude) is kept and templated up to this size. */
export const RESULT_MAX_BYTES = 64 * 1024;
const MAX_BACKOFF_MS = 5 * 60 * 1000;
const PREVIEW_CHARS = 500;

export interface RunnerDeps {
  journal: RunJournal;
  artifacts: RunArtifacts;
  steps: TaskStepExecutor;
  /** Sends a run notification to whoever watches the run. */
  emit(method: string, params: object): void;
  /** A step's execution exists (before its process starts): watchers may follow its output. */
  stepStarted(execution: Execution, index: number): void;
  logger: Logger;
  now?: () => number;
  random?: () => number;
}

type TaskEnd = "completed" | "failed" | "stopped";

export class TaskRunner {
  /** The step running now, if any. */
  current: Execution | null = null;
  private stopReason: "canceled" | "interrupted" | null = null;
  /** The try of the current task in this run (or resume): 1 … retries + 1. */
  private currentTry = 1;
  private readonly wake = new AbortController();
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
    this.current?.cancel();
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
      const attempt: TaskAttempt = {
        attempt: state.attempts.length + 1,
        executionId: `${record.runId}-t${index + 1}-a${state.attempts.length + 1}`,
        status: "queued",
        exitCode: null,
        startedAtMs: this.now(),
        endedAtMs: null,
        durationMs: null,
        costUsd: null,
        error: null,
      };
      let text: string;
      try {
        text = this.render(task);
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
      let execution: Execution;
      try {
        execution = await this.start(task, index, text, attempt, capture);
      } catch (error) {
        if (this.stopReason) return this.stopped(index, attempt);
        return this.refused(index, attempt, (error as Error).message);
      }
      this.current = execution;
      if (this.stopReason === "canceled") execution.cancel();
      const completion = await execution.done;
      this.current = null;
      const fullResult = this.recordAttempt(task, state, attempt, completion, capture);
      if (succeeded(completion)) return this.completeTask(index, fullResult);
      if (completion.status === "canceled" || completion.status === "interrupted") {
        return this.stopped(index, attempt, completion.status);
      }
      if (this.stopReason) return this.stopped(index, attempt);
      if (n < budget) {
        const delayMs = this.backoff(n);
        state.status = "waiting";
        await this.deps.journal.save(record);
        this.deps.emit("task.completed", {
          ...this.completedParams(index, attempt),
          retry_in_ms: delayMs,
        });
        await this.sleep(delayMs);
        continue;
      }
      return this.failTask(index, attempt, fullResult, attempt.error);
    }
    return "failed";
  }

  private async start(
    task: ResolvedTask,
    index: number,
    text: string,
    attempt: TaskAttempt,
    capture: OutputCapture,
  ): Promise<Execution> {
    const { record, deps } = this;
    const step = {
      task,
      text,
      executionId: attempt.executionId,
      origin: {
        sessionId: record.sessionId,
        task: {
          run_id: record.runId,
          index: index + 1,
          name: task.name,
          total: record.list.tasks.length,
        },
      },
      env: {
        ...task.env,
        CC_EXECUTOR_TASK_RUN_ID: record.runId,
        CC_EXECUTOR_TASK_INDEX: String(index + 1),
        CC_EXECUTOR_TASK_COUNT: String(record.list.tasks.length),
        CC_EXECUTOR_RUN_DIR: deps.artifacts.dir,
      },
      who: `task-list ${record.runId} task ${index + 1}`,
      prepare: (execution: Execution) => {
        if (task.kind === "command") {
          execution.addListener({
            output: (chunk) => {
              if (chunk.stream === "stdout") capture.add(chunk);
            },
            event() {},
            completed() {},
          });
        }
        deps.stepStarted(execution, index);
      },
    };
    return task.kind === "command" ? deps.steps.runCommand(step) : deps.steps.runPrompt(step);
  }

  /** Records how an attempt ended; returns the attempt's whole result text. */
  private recordAttempt(
    task: ResolvedTask,
    state: TaskState,
    attempt: TaskAttempt,
    completion: ProcessCompletedParams,
    capture: OutputCapture,
  ): string {
    const claude = completion.claude;
    attempt.status = completion.status;
    attempt.exitCode = completion.exit_code;
    attempt.endedAtMs = this.now();
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
    const states = record.tasks;
    const failed = states.filter((s) => s.status === "failed").length;
    if (error !== null) {
      record.status = "failed";
      record.error = error;
    } else if (states.every((s) => s.status === "completed")) {
      record.status = "completed";
      record.error = null;
    } else if (this.stopReason) {
      record.status = this.stopReason;
      record.error = this.stopReason === "interrupted" ? INTERRUPTED_RUN_ERROR : "canceled";
    } else {
      record.status = "failed";
      const first = states.findIndex((s) => s.status === "failed");
      record.error = `${failed} task${failed === 1 ? "" : "s"} failed (first: task ${first + 1}: ${states[first]?.error ?? "failed"})`;
    }
    record.endedAtMs = this.now();
    try {
      await this.deps.journal.save(record);
      this.deps.artifacts.writeRun(record);
    } finally {
      this.deps.emit("tasklist.completed", {
        run_id: record.runId,
        name: record.name,
        status: record.status,
        total: states.length,
        completed: states.filter((s) => s.status === "completed").length,
        failed,
        not_run: states.filter((s) => s.status === "pending").length,
        duration_ms: this.now() - this.startedMs,
        cost_usd: runCost(record),
        run_dir: this.deps.artifacts.dir,
        error: record.error,
      });
    }
  }

  private render(task: ResolvedTask): string {
    const { record, deps } = this;
    return renderTemplate(
      task.text,
      {
        runId: record.runId,
        runDir: deps.artifacts.dir,
        index: task.index,
        task: (i): TaskValues | null => {
          const state = record.tasks[i];
          if (!state) return null;
          return {
            result: state.result ?? "",
            status: state.status,
            exitCode: state.exitCode,
            file: deps.artifacts.taskMarkdown(i),
            json: deps.artifacts.taskJson(i),
          };
        },
      },
      task.kind === "command",
    );
  }

  private backoff(failedAttempts: number): number {
    const base = this.record.list.retryDelayMs * 2 ** (failedAttempts - 1);
    const jitter = 1 + 0.25 * (this.deps.random ?? Math.random)();
    return Math.round(Math.min(MAX_BACKOFF_MS, base) * jitter);
  }

  private sleep(ms: number): Promise<void> {
    if (this.wake.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const signal = this.wake.signal;
      function done() {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done, { once: true });
    });
  }

  private startedParams(index: number, attempt: TaskAttempt): TaskStartedParams {
    const task = this.record.list.tasks[index] as ResolvedTask;
    return {
      run_id: this.record.runId,
      index: index + 1,
      total: this.record.list.tasks.length,
      name: task.name,
      title: titleOf(task),
      kind: task.kind,
      // Counted in this run or resume; the attempt record keeps the number over all of them.
      attempt: this.currentTry,
      max_attempts: task.retries + 1,
      execution_id: attempt.executionId,
    };
  }

  private completedParams(index: number, attempt: TaskAttempt): TaskCompletedParams {
    const state = this.record.tasks[index] as TaskState;
    const finished = state.status === "completed" || state.status === "failed";
    return {
      ...this.startedParams(index, attempt),
      status: state.status,
      attempt_status: attempt.status,
      exit_code: attempt.exitCode,
      duration_ms: attempt.durationMs,
      cost_usd: attempt.costUsd,
      run_cost_usd: runCost(this.record),
      result_preview: state.result === null ? null : state.result.slice(0, PREVIEW_CHARS),
      result_bytes: state.resultBytes,
      file: finished ? this.deps.artifacts.taskMarkdown(index) : null,
      error: attempt.error,
    };
  }

  private emitCompleted(index: number): void {
    const state = this.record.tasks[index] as TaskState;
    const attempt = state.attempts[state.attempts.length - 1];
    if (attempt) this.deps.emit("task.completed", this.completedParams(index, attempt));
  }
}

/** The task's name, else the first line of its text, for progress displays. */
export function titleOf(task: ResolvedTask): string {
  const text = task.name ?? task.text.trim().split("\n")[0] ?? "";
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

/** A step succeeded: exit 0, and for Claude a result that is not an error (and verified). */
export function succeeded(completion: ProcessCompletedParams): boolean {
  const claude = completion.claude;
  return (
    completion.status === "completed" &&
    claude?.is_error !== true &&
    claude?.uuid_verified !== false
  );
}

function failureOf(completion: ProcessCompletedParams): string | null {
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

/** stdout, trimmed, at most RESULT_MAX_BYTES: its head and tail around a marker. */
function captured(capture: OutputCapture): string {
  const { head, tail, omittedBytes } = capture.result();
  const middle = omittedBytes > 0 ? `\n[… ${omittedBytes} bytes of output left out …]\n` : "";
  return `${head}${middle}${tail}`.trim();
}

/** Text cut to RESULT_MAX_BYTES: its first and last halves around a marker. */
export function bounded(text: string): string {
  const bytes = Buffer.from(text);
  if (bytes.length <= RESULT_MAX_BYTES) return text;
  const half = RESULT_MAX_BYTES / 2;
  const head = bytes
    .subarray(0, half)
    .toString("utf8")
    .replace(/\uFFFD$/, "");
  const tail = bytes
    .subarray(bytes.length - half)
    .toString("utf8")
    .replace(/^\uFFFD/, "");
  return `${head}\n[… ${bytes.length - 2 * half} bytes left out …]\n${tail}`;
}
