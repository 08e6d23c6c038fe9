/**
 * A task-list run as `run_task_list` and `get_task_run` report it (DESIGN §13): per task its
 * status, duration, cost and the first lines of its result; the run's id and result folder.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { TaskRunWire, TaskWire } from "../protocol/tasks.js";
import { failure, formatCost, formatDuration, success, titleOf } from "./tool-results.js";
import type { TaskRunOutput, TaskSummaryOutput } from "./tool-schemas.js";

const SUMMARY_LINES = 3;
const SUMMARY_CHARS = 300;

export function taskRunOutput(run: TaskRunWire): TaskRunOutput {
  return {
    run_id: run.run_id,
    name: run.name,
    status: run.status,
    result_dir: run.run_dir,
    total: run.total,
    completed: run.completed,
    failed: run.failed,
    cost_usd: run.cost_usd,
    error: run.error,
    tasks: run.tasks.map(taskSummary),
  };
}

function taskSummary(task: TaskWire): TaskSummaryOutput {
  const last = task.attempts.at(-1);
  return {
    index: task.index,
    name: task.name,
    status: task.status,
    execution_id: last?.execution_id ?? null,
    duration_ms: last?.duration_ms ?? null,
    cost_usd: task.cost_usd,
    summary: summarize(task.result ?? task.error),
  };
}

/** The first lines of a result, at most SUMMARY_CHARS characters. */
export function summarize(text: string | null): string | null {
  if (text === null) return null;
  const lines = text.trim().split("\n").slice(0, SUMMARY_LINES).join("\n");
  return lines.length <= SUMMARY_CHARS ? lines : `${lines.slice(0, SUMMARY_CHARS - 1)}…`;
}

/** The result of a run's report: an error result unless the run completed (or still runs). */
export function taskRunResult(run: TaskRunWire): CallToolResult {
  const structured = taskRunOutput(run);
  const text = taskRunText(run, structured);
  return run.status === "completed" || run.status === "running"
    ? success(text, structured)
    : failure(text, structured);
}

function taskRunText(run: TaskRunWire, out: TaskRunOutput): string {
  const name = run.name ? `'${run.name}' ` : "";
  const cost = formatCost(run.cost_usd);
  const lines = [
    `Task list ${name}(run_id ${run.run_id}): ${run.status} — ${run.completed}/${run.total} tasks completed${run.failed ? `, ${run.failed} failed` : ""}${cost ? `, ${cost}` : ""}.`,
    `Results folder: ${run.run_dir} (task-N.md and task-N.json per task).`,
  ];
  for (const task of out.tasks) {
    const facts = [formatDuration(task.duration_ms), formatCost(task.cost_usd)]
      .filter((part) => part !== "" && part !== "?")
      .join(", ");
    const label = task.name ?? titleOf(run.tasks[task.index - 1]?.text ?? "");
    const summary = task.summary ? `: ${task.summary.replace(/\n/g, "\n   ")}` : "";
    lines.push(`${task.index}. [${task.status}] ${label}${facts ? ` (${facts})` : ""}${summary}`);
  }
  if (run.error) lines.push(`Error: ${run.error}`);
  lines.push(nextStep(run));
  return lines.join("\n");
}

function nextStep(run: TaskRunWire): string {
  switch (run.status) {
    case "running":
      return `Still running: call get_task_run {run_id: "${run.run_id}", wait: true} to wait for it.`;
    case "completed":
      return "Each task's whole result is in its task-N.md file.";
    default:
      return `To continue at the first unfinished task once the cause is fixed: \`cc-executor tasks resume ${run.run_id}\` (or call run_task_list again to start over).`;
  }
}
