/**
 * Task-list progress on a terminal: a coloured line per task as it ends, and a live status line
 * for the task under way (task i/N, state, elapsed time, cost so far, last line of output),
 * redrawn in place.
 */
import { stripVTControlCharacters } from "node:util";
import { formatDuration } from "./history-format.js";
import type { Out, ProgressOptions, TaskProgress } from "./task-progress.js";
import { completedLine, money, RunView, summaryLines, taskName } from "./task-progress-lines.js";
import { CLEAR_LINE, displayLine, paint, type Style } from "./terminal-style.js";

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const REDRAW_MS = 200;

/** A terminal: finished tasks as coloured lines, the current one as a live status line. */
export function ttyProgress(out: Out, options: ProgressOptions): TaskProgress {
  const view = new RunView();
  // Only made for a TTY (progressFor); NO_COLOR still turns colour off.
  const colour = !process.env.NO_COLOR;
  const style = (name: Style, text: string) => paint(colour, name, text);
  let frame = 0;
  let statusShown = false;
  const clear = () => {
    if (statusShown) out.write(CLEAR_LINE);
    statusShown = false;
  };
  const draw = () => {
    clear();
    const current = view.current;
    if (!current) return;
    const p = current.params;
    const nowMs = performance.now();
    const head = `${SPINNER[frame++ % SPINNER.length]} ${view.label(p.index)} ${taskName(p)}`;
    const parts =
      current.retryAtMs === undefined
        ? [
            head,
            p.attempt > 1 ? `attempt ${p.attempt}/${p.max_attempts}` : "running",
            formatDuration(nowMs - current.startedMs),
          ]
        : [
            head,
            "waiting",
            `attempt ${p.attempt + 1}/${p.max_attempts} in ${formatDuration(Math.max(0, current.retryAtMs - nowMs))}`,
          ];
    if (view.costUsd > 0) parts.push(money(view.costUsd));
    if (options.output && current.lastLine) parts.push(current.lastLine);
    const width = Math.max(20, (out.columns || 80) - 1);
    let line = parts.join(" · ");
    if (line.length > width) line = `${line.slice(0, width - 1)}…`;
    out.write(style("dim", line));
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
            style("bold", `▶ ${event.name ?? "task list"}`) +
              style("dim", ` · run ${event.runId} · ${event.total} tasks`) +
              (event.attached
                ? style("dim", ` · watching from task ${event.startTask}`)
                : event.startTask > 1
                  ? style("dim", ` · continuing at task ${event.startTask}`)
                  : ""),
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
          // A child's escape sequences must not reach the user's terminal through the status
          // line: colours would mix with ours, a clear screen would wipe it.
          const lastRaw = lines[lines.length - 1];
          const last = lastRaw === undefined ? undefined : displayLine(lastRaw);
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
              ? style("green", "✓")
              : p.status === "waiting"
                ? style("yellow", "↻")
                : style("red", "✗");
          if (p.status !== "waiting") view.current = null;
          else if (view.current && p.retry_in_ms !== undefined) {
            view.current.retryAtMs = performance.now() + p.retry_in_ms;
          }
          // The result preview and error are the child's text: no escape sequences either.
          print(`${mark} ${stripVTControlCharacters(completedLine(view, p))}`);
          return;
        }
        case "hook.warning":
          print(
            style(
              "yellow",
              `! hook ${event.params.hook} ${event.params.reason}: ${event.params.message}`,
            ),
          );
          return;
        case "disconnected":
          // The step's state is unknown until the server answers again.
          view.current = null;
          print(style("yellow", "! connection to the server lost; reconnecting…"));
          return;
        case "reattached":
          print(style("dim", `reconnected to run ${event.runId}`));
          return;
        case "completed": {
          view.current = null;
          const ok = event.summary.status === "completed";
          const [head, ...rest] = summaryLines(event.summary);
          print(style(ok ? "green" : "red", head ?? ""));
          for (const line of rest) print(style("dim", line));
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
