/**
 * How `cc-executor tasks run|resume` shows progress (DESIGN §7, §8):
 * - on a terminal, a line per task as it ends and a live status line (task i/N, state, elapsed
 *   time, cost so far, last line of output), redrawn in place;
 * - piped, plain lines: one per event, and the steps' output lines prefixed with `[i/N] |`;
 * - with --json, one JSON object per event.
 */
import type { TaskListEvent, TaskListSummary } from "../client/task-list-run.js";
import type { TaskCompletedParams, TaskStartedParams } from "../protocol/tasks.js";
import { formatDuration } from "./history-format.js";
import { StepLines } from "./task-step-lines.js";

export interface TaskProgress {
  event(event: TaskListEvent): void;
  /** Stops redrawing and leaves the terminal clean. */
  close(): void;
}

export interface ProgressOptions {
  /** Show the steps' output (plain: every line; terminal: the last line in the status). */
  output: boolean;
}

interface Out {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** One JSON object per event, snake_case like the protocol; `event` names it. */
export function jsonProgress(out: Out, options: ProgressOptions): TaskProgress {
  return {
    event(event) {
      if (event.type === "output" && !options.output) return;
      out.write(`${JSON.stringify({ event: event.type, ...jsonBody(event) })}\n`);
    },
    close() {},
  };
}

function jsonBody(event: TaskListEvent): Record<string, unknown> {
  switch (event.type) {
    case "started":
      return {
        run_id: event.runId,
        name: event.name,
        total: event.total,
        start_task: event.startTask,
      };
    case "output":
      return {
        run_id: event.runId,
        index: event.index,
        execution_id: event.executionId,
        stream: event.stream,
        data: event.data,
      };
    case "completed": {
      const { summary } = event;
      return {
        ...summary.run,
        status: summary.status,
        success: summary.success,
        not_run: summary.notRun,
      };
    }
    case "reattached":
      return { run_id: event.runId };
    default:
      return { ...event.params, run_id: event.runId };
  }
}

/** Shared bookkeeping of the human renderers. */
class RunView {
  total = 0;
  runId = "";
  costUsd = 0;
  current: { params: TaskStartedParams; startedMs: number; lastLine: string } | null = null;
  readonly lines = new StepLines();

  label(index: number): string {
    return `[${index}/${this.total}]`;
  }
}

function taskName(params: { title: string; kind: string }): string {
  return params.title || (params.kind === "command" ? "shell command" : "Claude task");
}

function money(usd: number | null | undefined): string {
  return usd === null || usd === undefined ? "" : `$${usd.toFixed(4)}`;
}

function firstLine(text: string | null | undefined, max = 100): string {
  const line = (text ?? "").trim().split("\n")[0] ?? "";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function completedLine(view: RunView, p: TaskCompletedParams): string {
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

/** Plain lines, for pipes and files. */
export function plainProgress(out: Out, options: ProgressOptions): TaskProgress {
  const view = new RunView();
  const kinds = new Map<string, "prompt" | "command">();
  const write = (line: string) => out.write(`${line}\n`);
  return {
    event(event) {
      switch (event.type) {
        case "started":
          view.total = event.total;
          view.runId = event.runId;
          write(
            `run ${event.runId}${event.name ? ` "${event.name}"` : ""}: ${event.total} tasks` +
              (event.startTask > 1 ? `, continuing at task ${event.startTask}` : ""),
          );
          return;
        case "task.started": {
          const p = event.params;
          view.total = p.total;
          kinds.set(p.execution_id, p.kind);
          const attempt = p.attempt > 1 ? ` (attempt ${p.attempt} of ${p.max_attempts})` : "";
          write(`${view.label(p.index)} ${taskName(p)}: started${attempt}`);
          return;
        }
        case "output":
          if (!options.output) return;
          for (const line of view.lines.push(
            event.executionId,
            kinds.get(event.executionId) ?? "command",
            event.stream,
            event.data,
          )) {
            write(`${view.label(event.index)} | ${line}`);
          }
          return;
        case "task.completed": {
          const p = event.params;
          if (options.output) {
            for (const line of view.lines.end(p.execution_id, p.kind)) {
              write(`${view.label(p.index)} | ${line}`);
            }
          }
          write(completedLine(view, p));
          return;
        }
        case "hook.warning":
          write(`hook ${event.params.hook} ${event.params.reason}: ${event.params.message}`);
          return;
        case "reattached":
          write(`reconnected to run ${event.runId}`);
          return;
        case "completed":
          for (const line of summaryLines(event.summary)) write(line);
          return;
      }
    },
    close() {},
  };
}

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const REDRAW_MS = 200;

/** A terminal: finished tasks as coloured lines, the current one as a live status line. */
export function ttyProgress(out: Out, options: ProgressOptions): TaskProgress {
  const view = new RunView();
  const colour = !process.env.NO_COLOR;
  const paint = (code: string, text: string) => (colour ? `\x1b[${code}m${text}\x1b[0m` : text);
  let frame = 0;
  let statusShown = false;
  const clear = () => {
    if (statusShown) out.write("\r\x1b[2K");
    statusShown = false;
  };
  const draw = () => {
    clear();
    const current = view.current;
    if (!current) return;
    const p = current.params;
    const elapsed = formatDuration(performance.now() - current.startedMs);
    const parts = [
      `${SPINNER[frame++ % SPINNER.length]} ${view.label(p.index)} ${taskName(p)}`,
      p.attempt > 1 ? `attempt ${p.attempt}/${p.max_attempts}` : "running",
      elapsed,
    ];
    if (view.costUsd > 0) parts.push(money(view.costUsd));
    if (options.output && current.lastLine) parts.push(current.lastLine);
    const width = Math.max(20, (out.columns || 80) - 1);
    let line = parts.join(" · ");
    if (line.length > width) line = `${line.slice(0, width - 1)}…`;
    out.write(paint("2", line));
    statusShown = true;
  };
  const print = (line: string) => {
    clear();
    out.write(`${line}\n`);
    draw();
  };
  const timer = setInterval(draw, REDRAW_MS);
  timer.unref();
  const kinds = new Map<string, "prompt" | "command">();
  return {
    event(event) {
      switch (event.type) {
        case "started":
          view.total = event.total;
          view.runId = event.runId;
          print(
            paint("1", `▶ ${event.name ?? "task list"}`) +
              paint("2", ` · run ${event.runId} · ${event.total} tasks`) +
              (event.startTask > 1 ? paint("2", ` · continuing at task ${event.startTask}`) : ""),
          );
          return;
        case "task.started":
          view.total = event.params.total;
          kinds.set(event.params.execution_id, event.params.kind);
          view.current = { params: event.params, startedMs: performance.now(), lastLine: "" };
          draw();
          return;
        case "output": {
          const lines = view.lines.push(
            event.executionId,
            kinds.get(event.executionId) ?? "command",
            event.stream,
            event.data,
          );
          const last = lines[lines.length - 1]?.trim();
          if (last === undefined || !view.current || last === view.current.lastLine) return;
          view.current.lastLine = last;
          // Output arrives coalesced (one event per read), so a redraw per event stays cheap.
          if (options.output) draw();
          return;
        }
        case "task.completed": {
          const p = event.params;
          view.costUsd = p.run_cost_usd;
          view.lines.end(p.execution_id, p.kind);
          const mark =
            p.status === "completed"
              ? paint("32", "✓")
              : p.status === "waiting"
                ? paint("33", "↻")
                : paint("31", "✗");
          if (p.status !== "waiting") view.current = null;
          print(`${mark} ${completedLine(view, p)}`);
          return;
        }
        case "hook.warning":
          print(
            paint(
              "33",
              `! hook ${event.params.hook} ${event.params.reason}: ${event.params.message}`,
            ),
          );
          return;
        case "reattached":
          print(paint("2", `reconnected to run ${event.runId}`));
          return;
        case "completed": {
          view.current = null;
          const ok = event.summary.status === "completed";
          const [head, ...rest] = summaryLines(event.summary);
          print(paint(ok ? "32" : "31", head ?? ""));
          for (const line of rest) print(paint("2", line));
          return;
        }
      }
    },
    close() {
      clearInterval(timer);
      clear();
    },
  };
}

export function progressFor(json: boolean, out: Out, options: ProgressOptions): TaskProgress {
  if (json) return jsonProgress(out, options);
  return out.isTTY ? ttyProgress(out, options) : plainProgress(out, options);
}
