/**
 * Progress of a task-list run as an MCP client sees it: `progress` is the tasks finished plus a
 * share of the current one that grows with its time (never reaching 1), `total` the number of
 * tasks, and the message "task 3/12 'Write tests': Claude thinking, 45 s, $0.42 so far".
 */
import type { CcExecutorClient } from "../client/node.js";
import type { TaskListRun, TaskListSummary } from "../client/task-list-run.js";
import type { TaskRunWire } from "../protocol/tasks.js";
import type { ProgressReporter, ProgressSnapshot } from "./progress-reporter.js";
import { StepActivity } from "./step-activity.js";
import { formatCost, titleOf } from "./tool-results.js";

/** Notifications of a step's execution that change what the step is doing. */
const STEP_NOTICES = ["process.started", "error.rate_limit_exceeded", "claude.retry"];
const FINISHED = new Set(["completed", "failed", "canceled", "interrupted"]);
/** A task's share reaches one half after this long. */
const HALF_SHARE_MS = 60_000;

interface CurrentStep {
  index: number;
  title: string;
  executionId: string;
  activity: StepActivity;
}

export class ListProgress {
  private total = 0;
  private finished = 0;
  private costUsd = 0;
  private current: CurrentStep | null = null;
  private waitingNote: string | null = null;

  /** Seeds the state from the start's reply (before its "started" event is read). */
  begin(total: number, startTask: number): void {
    this.total = total;
    this.finished = startTask - 1;
  }

  /** Seeds the state from the run's record (when watching a run that is under way). */
  seed(run: TaskRunWire): void {
    this.total = run.total;
    this.costUsd = run.cost_usd;
    this.finished = run.tasks.filter((task) => FINISHED.has(task.status)).length;
    const running = run.tasks.find((task) => task.status === "running");
    const attempt = running?.attempts.at(-1);
    if (running && attempt) {
      const started = Date.parse(attempt.started_at);
      this.current = {
        index: running.index,
        title: running.name ?? titleOf(running.text, 40),
        executionId: attempt.execution_id,
        activity: new StepActivity(
          running.kind === "prompt" ? "claude" : "command",
          Number.isNaN(started) ? Date.now() : started,
        ),
      };
    }
  }

  snapshot(): ProgressSnapshot {
    const cost = this.costUsd > 0 ? `, ${formatCost(this.costUsd)} so far` : "";
    const step = this.current;
    if (step === null) {
      return {
        progress: this.finished,
        total: this.total || undefined,
        message: `${this.finished}/${this.total} tasks done${this.waitingNote ?? ""}${cost}`,
      };
    }
    const elapsedMs = Date.now() - step.activity.startedAtMs;
    const share = elapsedMs / (elapsedMs + HALF_SHARE_MS);
    return {
      progress: this.finished + share,
      total: this.total || undefined,
      message: `task ${step.index}/${this.total} '${step.title}': ${step.activity.describe()}${cost}`,
    };
  }

  /**
   * Follows the run to its end, telling `reporter` at each task's start and end; the step's
   * detections and retries come from the client's notifications.
   */
  async follow(
    client: CcExecutorClient,
    run: TaskListRun,
    reporter: ProgressReporter,
  ): Promise<TaskListSummary> {
    const off = STEP_NOTICES.map((method) =>
      client.rpc.on(method, (params) => {
        if (this.current !== null && params.execution_id === this.current.executionId) {
          this.current.activity.notice(method, params);
        }
      }),
    );
    try {
      for await (const event of run) {
        switch (event.type) {
          case "started":
            this.total = event.total;
            this.finished = event.startTask - 1;
            break;
          case "task.started":
            this.total = event.params.total;
            this.waitingNote = null;
            this.current = {
              index: event.params.index,
              title: event.params.name ?? titleOf(event.params.title, 40),
              executionId: event.params.execution_id,
              activity: new StepActivity(event.params.kind === "prompt" ? "claude" : "command"),
            };
            reporter.report();
            break;
          case "output":
            if (event.stream === "stdout" && event.executionId === this.current?.executionId) {
              this.current.activity.stdout(event.data);
            }
            break;
          case "task.completed": {
            const done = event.params;
            this.costUsd = done.run_cost_usd;
            this.current = null;
            if (done.status === "waiting") {
              const inS = Math.round((done.retry_in_ms ?? 0) / 1000);
              this.waitingNote = `; task ${done.index} failed attempt ${done.attempt}/${done.max_attempts}, retrying in ${inS} s`;
            } else {
              this.finished += 1;
            }
            reporter.report();
            break;
          }
          default:
            break;
        }
      }
      return await run.result;
    } finally {
      for (const unsubscribe of off) unsubscribe();
    }
  }
}
