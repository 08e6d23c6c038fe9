/**
 * How `cc-executor tasks run|resume` shows progress (DESIGN §7, §8):
 * - on a terminal, a line per task as it ends and a live status line (task i/N, state, elapsed
 *   time, cost so far, last line of output), redrawn in place;
 * - piped, plain lines: one per event, and the steps' output lines prefixed with `[i/N] |`;
 * - with --json, one JSON object per event.
 */
import type { TaskListEvent } from "../client/task-list-run.js";
import { plainProgress } from "./task-progress-plain.js";
import { ttyProgress } from "./task-progress-tty.js";

export interface TaskProgress {
  event(event: TaskListEvent): void;
  /** Stops redrawing and leaves the terminal clean. */
  close(): void;
}

export interface ProgressOptions {
  /** Show the steps' output (plain: every line; terminal: the last line in the status). */
  output: boolean;
}

export interface Out {
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
        ...(event.attached ? { attached: true } : {}),
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
    case "disconnected":
    case "reattached":
      return { run_id: event.runId };
    default:
      return { ...event.params, run_id: event.runId };
  }
}

export function progressFor(json: boolean, out: Out, options: ProgressOptions): TaskProgress {
  if (json) return jsonProgress(out, options);
  return out.isTTY ? ttyProgress(out, options) : plainProgress(out, options);
}
