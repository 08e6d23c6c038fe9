/**
 * Task-list progress as plain lines, for pipes and files: one line per event, and with
 * --output the steps' output lines prefixed with `[i/N] |`.
 */
import type { Out, ProgressOptions, TaskProgress } from "./task-progress.js";
import { completedLine, RunView, summaryLines, taskName } from "./task-progress-lines.js";

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
            `${event.attached ? "watching run" : "run"} ${event.runId}` +
              `${event.name ? ` "${event.name}"` : ""}: ${event.total} tasks` +
              (event.attached
                ? `, at task ${event.startTask}`
                : event.startTask > 1
                  ? `, continuing at task ${event.startTask}`
                  : ""),
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
        case "disconnected":
          write("connection to the server lost; reconnecting…");
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
