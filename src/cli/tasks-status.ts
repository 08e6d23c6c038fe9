/**
 * `cc-executor tasks status [id]` and `tasks list`: task-list runs read from the store (SQLite in
 * the home, or Redis), so they work whether or not a server runs — after a crash too.
 */
import { stripVTControlCharacters } from "node:util";
import type { TaskRunSummaryWire, TaskRunWire } from "../protocol/tasks.js";
import { SERVER_GONE_ERROR } from "../tasks/run-liveness.js";
import {
  type Column,
  formatDuration,
  formatTime,
  renderTable,
  statusColour,
  type Terminal,
} from "./history-format.js";
import { displayLine } from "./terminal-style.js";

const SHORT_ID = 22;

export const RUN_COLUMNS: Column<TaskRunSummaryWire>[] = [
  { title: "CREATED", value: (r) => formatTime(r.created_at) },
  { title: "RUN", value: (r) => r.run_id, short: (r) => r.run_id.slice(0, SHORT_ID) },
  {
    title: "STATUS",
    value: (r) => shownStatus(r),
    colour: (r) => statusColour(runColour(r.status)),
  },
  { title: "DONE", value: (r) => `${r.completed}/${r.total}` },
  { title: "FAILED", value: (r) => String(r.failed) },
  { title: "COST", value: (r) => (r.cost_usd ? `$${r.cost_usd.toFixed(4)}` : "-") },
  { title: "NAME", value: (r) => r.name ?? r.source ?? "-", flexible: true },
];

/** The status, and why when no server holds a run its record still calls running. */
function shownStatus(run: TaskRunSummaryWire): string {
  return run.error === SERVER_GONE_ERROR ? `${run.status} (server gone)` : run.status;
}

/** Run statuses in the colours of execution statuses. */
function runColour(status: string): string {
  return status === "interrupted" ? "canceled" : status;
}

interface TaskRow {
  index: number;
  name: string;
  kind: string;
  status: string;
  attempts: string;
  duration: string;
  cost: string;
  result: string;
}

const TASK_COLUMNS: Column<TaskRow>[] = [
  { title: "#", value: (t) => String(t.index) },
  { title: "STATUS", value: (t) => t.status, colour: (t) => statusColour(runColour(t.status)) },
  { title: "KIND", value: (t) => t.kind },
  { title: "TRIES", value: (t) => t.attempts },
  { title: "TIME", value: (t) => t.duration },
  { title: "COST", value: (t) => t.cost },
  { title: "TASK", value: (t) => t.name },
  { title: "RESULT", value: (t) => t.result, flexible: true },
];

export function renderRun(run: TaskRunWire, terminal: Terminal): string {
  const head = [
    `run ${run.run_id}${run.name ? ` — ${run.name}` : ""}`,
    `status: ${shownStatus(run)} · ${run.completed} of ${run.total} completed` +
      (run.failed ? ` · ${run.failed} failed` : "") +
      (run.cost_usd ? ` · $${run.cost_usd.toFixed(4)}` : "") +
      (run.resumes ? ` · resumed ${run.resumes}×` : ""),
    `list: ${run.source ?? "(inline)"} · created ${formatTime(run.created_at)}` +
      (run.ended_at ? ` · ended ${formatTime(run.ended_at)}` : ""),
    `results: ${run.run_dir}`,
  ];
  if (run.error && run.status !== "completed")
    head.push(`error: ${stripVTControlCharacters(run.error)}`);
  if (run.status !== "completed" && run.status !== "running" && run.next_task !== null) {
    head.push(`continue at task ${run.next_task}: cc-executor tasks resume ${run.run_id}`);
  }
  const rows = run.tasks.map(
    (task): TaskRow => ({
      index: task.index,
      name: task.name ?? firstLine(task.text),
      kind: task.kind === "prompt" ? "claude" : "command",
      status: task.status,
      attempts: triesOf(task.attempts.length, task.max_attempts),
      duration: formatDuration(
        task.attempts.reduce((sum, a) => sum + (a.duration_ms ?? 0), 0) || null,
      ),
      cost: task.cost_usd ? `$${task.cost_usd.toFixed(4)}` : "-",
      result: firstLine(task.error && task.status !== "completed" ? task.error : task.result),
    }),
  );
  return `${head.join("\n")}\n\n${renderTable(TASK_COLUMNS, rows, terminal)}`;
}

/** "2/3"; past the budget only after a resume (each gives the task its budget again). */
function triesOf(tries: number, maxTries: number): string {
  if (tries === 0) return "-";
  return tries <= maxTries ? `${tries}/${maxTries}` : `${tries} (${maxTries} per resume)`;
}

/** A child's first line as the terminal should show it: no escape or control characters. */
function firstLine(text: string | null): string {
  return displayLine((text ?? "").trim().split("\n")[0] ?? "");
}
