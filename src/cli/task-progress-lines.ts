/**
 * What the human renderers of task-list progress share (task-progress-plain.ts,
 * task-progress-tty.ts): the run as they have seen it so far, and the wording of a task's end
 * and of the run's summary.
 */
import type { TaskListSummary } from "../client/task-list-run.js";
import type { TaskCompletedParams, TaskStartedParams } from "../protocol/tasks.js";
import { formatDuration } from "./history-format.js";
import { StepLines } from "./task-step-lines.js";

/** Shared bookkeeping of the human renderers. */
export class RunView {
  total = 0;
  runId = "";
  costUsd = 0;
  current: {
    params: TaskStartedParams;
    startedMs: number;
    lastLine: string;
    /** While a retry waits: when its next attempt starts (performance.now() ms). */
    retryAtMs?: number;
  } | null = null;
  readonly lines = new StepLines();

  label(index: number): string {
    return `[${index}/${this.total}]`;
  }
}

export function taskName(params: { title: string; kind: string }): string {
  return params.title || (params.kind === "command" ? "shell command" : "Claude task");
}

export function money(usd: number | null | undefined): string {
  return usd === null || usd === undefined ? "" : `$${usd.toFixed(4)}`;
}

function firstLine(text: string | null | undefined, max = 100): string {
  const line = (text ?? "").trim().split("\n")[0] ?? "";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export function completedLine(view: RunView, p: TaskCompletedParams): string {
  const facts = [p.duration_ms === null ? null : formatDuration(p.duration_ms), money(p.cost_usd)]
    .filter(Boolean)
    .join(", ");
  const status = p.status === "waiting" ? "failed" : p.status;
  const head = `${view.label(p.index)} ${taskName(p)}: ${status}${facts ? ` in ${facts}` : ""}`;
  if (p.status === "completed") {
    const preview = firstLine(p.result_preview);
    return preview ? `${head} — ${preview}` : head;
  }
  const retry =
    p.retry_in_ms === undefined
      ? ""
      : `; attempt ${p.attempt + 1} of ${p.max_attempts} in ${formatDuration(p.retry_in_ms)}`;
  return `${head}${p.error ? ` — ${firstLine(p.error, 200)}` : ""}${retry}`;
}

export function summaryLines(summary: TaskListSummary): string[] {
  const { run } = summary;
  const lines = [
    `run ${summary.runId} ${summary.status}: ${summary.completed} of ${run.total} completed` +
      `${summary.failed ? `, ${summary.failed} failed` : ""}` +
      `${summary.notRun ? `, ${summary.notRun} not run` : ""}` +
      `${summary.costUsd ? `, ${money(summary.costUsd)}` : ""}`,
    `results: ${summary.runDir}`,
  ];
  if (summary.error && summary.status !== "completed") lines.push(`error: ${summary.error}`);
  if (summary.status !== "completed" && run.next_task !== null) {
    lines.push(`continue at task ${run.next_task} with: cc-executor tasks resume ${summary.runId}`);
  }
  return lines;
}
