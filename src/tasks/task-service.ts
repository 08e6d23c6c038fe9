/**
 * The task lists of one server (DESIGN §7): starts and resumes runs (each a TaskRunner), knows
 * who watches each run, cancels, answers queries from the journal, and on start-up marks what a
 * dead predecessor left running as interrupted. Runs belong to the server, not to a connection:
 * a watcher that goes away stops hearing about the run, and the run goes on.
 */

import type { ExecutionHandle } from "../engine/execution-handle.js";
import type { HookWarningParams } from "../hooks/hook-types.js";
import type { Logger } from "../log/logger.js";
import type { ServerIdentity } from "../store/server-owner.js";
import type { Store } from "../store/store.js";
import type { TaskRunQuery, TaskRunRecord } from "../store/task-run-record.js";
import { cancelStoredRun } from "./cancel-stored.js";
import { newRunId, newRunRecord } from "./new-run.js";
import { prepareResume } from "./resume.js";
import { RunArtifacts } from "./run-artifacts.js";
import { RunJournal, recoverTaskRuns } from "./run-journal.js";
import type { ResolvedTaskList } from "./task-list-schema.js";
import { tasklistCompletedParams } from "./task-notifications.js";
import {
  TaskRunNotFoundError,
  TaskRunRefusedError,
  TaskServiceClosingError,
} from "./task-run-errors.js";
import { runDirOf } from "./task-run-wire.js";
import type { TaskRunner } from "./task-runner.js";
import type { TaskStepExecutor } from "./task-steps.js";
import { loadTasksRuntime } from "./tasks-runtime-loader.js";

/** Someone following a run (a connection): its notifications, and optionally its steps' output. */
export interface TaskWatcher {
  /** One watcher per key (a connection's session id): watching again replaces it. */
  key: string;
  notify(method: string, params: object): void;
  follow?(execution: ExecutionHandle): void;
  /** False once it is gone (a closed connection); it is then forgotten. */
  alive(): boolean;
}

export interface TaskServiceOptions {
  store: Store;
  /** $CC_EXECUTOR_HOME/runs */
  runsRoot: string;
  steps: TaskStepExecutor;
  identity: ServerIdentity;
  logger: Logger;
  now?: () => number;
}

/** A run ready to go: its record is journaled; `launch()` starts it (after the caller replied). */
export interface PendingRun {
  record: TaskRunRecord;
  /** Index of the first task this start runs (0-based). */
  startIndex: number;
  launch(): Promise<TaskRunRecord>;
}

interface ActiveRun {
  runner: TaskRunner;
  watchers: Map<string, TaskWatcher>;
  done: Promise<TaskRunRecord>;
}

export class TaskService {
  readonly journal: RunJournal;
  private readonly active = new Map<string, ActiveRun>();
  /** Runs being started or resumed (their record is being written). */
  private readonly reserved = new Set<string>();
  private readonly now: () => number;
  private closing = false;

  constructor(private readonly options: TaskServiceOptions) {
    this.now = options.now ?? Date.now;
    this.journal = new RunJournal(options.store, this.now);
  }

  get runsRoot(): string {
    return this.options.runsRoot;
  }

  get activeCount(): number {
    return this.active.size;
  }

  /** Start-up: runs a dead server left `running` become `interrupted`. */
  recover(): Promise<string[]> {
    return recoverTaskRuns(this.journal, this.options.identity, this.now());
  }

  async start(
    list: ResolvedTaskList,
    options: { sessionId: string | null; runId?: string; watcher?: TaskWatcher },
  ): Promise<PendingRun> {
    // Loaded before anything is journaled: a run on record can always be launched.
    const { TaskRunner } = await loadTasksRuntime();
    const runId = options.runId ?? newRunId(new Date(this.now()));
    this.reserve(runId);
    try {
      if (options.runId && (await this.options.store.getTaskRun(runId))) {
        throw new TaskRunRefusedError(`run_id ${runId} is already in use`);
      }
      const { identity } = this.options;
      const record = newRunRecord(list, runId, identity, options.sessionId, this.now());
      await this.journal.save(record);
      new RunArtifacts(this.options.runsRoot, runId).writeList(record);
      return this.pending(record, TaskRunner, options.watcher);
    } catch (error) {
      this.reserved.delete(runId);
      throw error;
    }
  }

  async resume(
    ref: string,
    options: { sessionId: string | null; watcher?: TaskWatcher },
  ): Promise<PendingRun> {
    const { TaskRunner } = await loadTasksRuntime();
    const runId = await this.resolveId(ref);
    if (this.active.has(runId)) {
      throw new TaskRunRefusedError(`task run ${runId} is running already`);
    }
    this.reserve(runId);
    try {
      const record = await this.options.store.getTaskRun(runId);
      if (!record) throw notFound(ref);
      const refusal = prepareResume(record, this.options.identity, options.sessionId, this.now());
      if (refusal) throw new TaskRunRefusedError(`cannot resume ${runId}: ${refusal}`);
      await this.journal.save(record);
      return this.pending(record, TaskRunner, options.watcher);
    } catch (error) {
      this.reserved.delete(runId);
      throw error;
    }
  }

  /** Cancels a run: the running one stops (its step is canceled); resolves with its record. */
  async cancel(ref: string): Promise<TaskRunRecord> {
    const runId = await this.resolveId(ref);
    const run = this.active.get(runId);
    if (run) {
      run.runner.cancel();
      return run.done;
    }
    const record = await this.options.store.getTaskRun(runId);
    if (!record) throw notFound(ref);
    const refusal = cancelStoredRun(record, runId, this.options.identity, this.now);
    if (refusal) throw new TaskRunRefusedError(refusal);
    await this.journal.save(record);
    return record;
  }

  /** The run: live from the runner while it runs here, else from the journal. */
  async get(ref: string): Promise<TaskRunRecord> {
    const runId = await this.resolveId(ref);
    const active = this.active.get(runId);
    if (active) return active.runner.record;
    const record = await this.options.store.getTaskRun(runId);
    if (!record) throw notFound(ref);
    return record;
  }

  list(query: TaskRunQuery): Promise<TaskRunRecord[]> {
    return this.options.store.listTaskRuns(query);
  }

  /** Resolves when the run (running here) has ended; null if it does not run here. */
  whenDone(runId: string): Promise<TaskRunRecord> | null {
    return this.active.get(runId)?.done ?? null;
  }

  /** Adds a watcher to a run running here (it also follows the step under way); false if none. */
  watch(runId: string, watcher: TaskWatcher): boolean {
    const run = this.active.get(runId);
    if (!run) return false;
    run.watchers.set(watcher.key, watcher);
    const current = run.runner.current;
    if (current && !current.isFinal) watcher.follow?.(current);
    return true;
  }

  /**
   * Like `watch`, for a watcher told the run was running: if it ended meanwhile (between that
   * read and this call), the watcher hears its `tasklist.completed` from the record instead of
   * waiting for one that was already sent.
   */
  async watchOrTell(runId: string, watcher: TaskWatcher): Promise<void> {
    if (this.watch(runId, watcher)) return;
    const record = await this.options.store.getTaskRun(runId);
    if (!record || record.status === "running") return;
    const durationMs = (record.endedAtMs ?? this.now()) - record.createdAtMs;
    const runDir = runDirOf(this.options.runsRoot, runId);
    watcher.notify("tasklist.completed", tasklistCompletedParams(record, durationMs, runDir));
  }

  /** A hook warning about a step goes to the run's watchers. */
  hookWarning(warning: HookWarningParams): void {
    if (warning.task) this.emit(warning.task.run_id, "hook.warning", warning);
  }

  /** The server is stopping: every run stops after its step (interrupted); resolves when written. */
  async close(): Promise<void> {
    this.closing = true;
    const runs = [...this.active.values()];
    for (const run of runs) run.runner.interrupt();
    await Promise.allSettled(runs.map((run) => run.done));
  }

  /** An exact run id, or the one run whose id starts with `ref`. */
  async resolveId(ref: string): Promise<string> {
    if (this.active.has(ref) || (await this.options.store.getTaskRun(ref))) return ref;
    const matches = await this.options.store.findTaskRunIds(ref, 5);
    if (matches.length === 1) return matches[0] as string;
    if (matches.length > 1) {
      throw new TaskRunRefusedError(`${ref} matches several task runs: ${matches.join(", ")}…`);
    }
    throw notFound(ref);
  }

  private reserve(runId: string): void {
    if (this.closing) throw new TaskServiceClosingError();
    if (this.reserved.has(runId) || this.active.has(runId)) {
      throw new TaskRunRefusedError(`task run ${runId} is starting already`);
    }
    this.reserved.add(runId);
  }

  private pending(
    record: TaskRunRecord,
    Runner: typeof TaskRunner,
    watcher?: TaskWatcher,
  ): PendingRun {
    const runId = record.runId;
    const watchers = new Map<string, TaskWatcher>();
    if (watcher) watchers.set(watcher.key, watcher);
    const artifacts = new RunArtifacts(this.options.runsRoot, runId);
    const runner = new Runner(record, {
      journal: this.journal,
      artifacts,
      steps: this.options.steps,
      logger: this.options.logger,
      now: this.now,
      emit: (method, params) => this.emit(runId, method, params),
      stepStarted: (execution) => {
        for (const w of this.watchersOf(runId)) w.follow?.(execution);
      },
    });
    let done: Promise<TaskRunRecord> | null = null;
    return {
      record,
      startIndex: record.cursor,
      launch: () => {
        if (done) return done;
        this.reserved.delete(runId);
        done = runner.run().finally(() => this.active.delete(runId));
        this.active.set(runId, { runner, watchers, done });
        // A run started while the server began to stop never gets a step.
        if (this.closing) runner.interrupt();
        return done;
      },
    };
  }

  private emit(runId: string, method: string, params: object): void {
    for (const watcher of this.watchersOf(runId)) watcher.notify(method, params);
  }

  private watchersOf(runId: string): TaskWatcher[] {
    const watchers = this.active.get(runId)?.watchers;
    if (!watchers) return [];
    for (const [key, watcher] of watchers) if (!watcher.alive()) watchers.delete(key);
    return [...watchers.values()];
  }
}

function notFound(ref: string): TaskRunNotFoundError {
  return new TaskRunNotFoundError(ref);
}
