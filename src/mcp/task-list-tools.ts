/**
 * `run_task_list`, `start_task_list`, `get_task_run` (DESIGN §13). The run lives in the
 * cc-executor server (docs/tasks.md): this process only starts and watches it, so a list goes on
 * when the MCP server exits, and any later session re-attaches with `get_task_run {wait: true}`.
 */
import { resolve } from "node:path";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { CcExecutorClient } from "../client/node.js";
import type { TaskListRun } from "../client/task-list-run.js";
import type { TaskRunWire } from "../protocol/tasks.js";
import type * as z from "../protocol/zod.js";
import { ListProgress } from "./list-progress.js";
import { ProgressReporter } from "./progress-reporter.js";
import { taskRunResult } from "./task-run-summary.js";
import type { ToolContext, ToolExtra } from "./tool-context.js";
import { progressSender } from "./tool-context.js";
import { describeError, failure, success } from "./tool-results.js";
import type { GetTaskRunInput, RunTaskListInput, StartTaskListOutput } from "./tool-schemas.js";

type ListArgs = { [K in keyof typeof RunTaskListInput]: z.infer<(typeof RunTaskListInput)[K]> };
type GetArgs = { [K in keyof typeof GetTaskRunInput]: z.infer<(typeof GetTaskRunInput)[K]> };

/** What `tasks.run` gets: the path of a file, or a list value with the folder it resolves in. */
type ListSource = { path: string } | { list: object; baseDir: string };

function listSource(args: ListArgs, baseDir: string): ListSource | string {
  const hasTasks = args.tasks !== undefined;
  const hasFile = args.file !== undefined && args.file.trim() !== "";
  if (hasTasks === hasFile) {
    return hasTasks
      ? "Give the list as `tasks` or as `file`, not both."
      : "Give the list: `tasks` (an array of {prompt} or {command} objects) or `file` (a task-list file).";
  }
  if (hasFile) {
    if (args.cwd !== undefined || args.continue_on_failure !== undefined) {
      return "`cwd` and `continue_on_failure` apply to an inline `tasks` list; for a file, set them in the file (front matter or top-level keys), or pass the tasks inline.";
    }
    return { path: resolve(baseDir, args.file as string) };
  }
  if (args.tasks?.length === 0) return "`tasks` is empty: give at least one task.";
  const list: Record<string, unknown> = { tasks: args.tasks };
  if (args.continue_on_failure !== undefined) list.continue_on_failure = args.continue_on_failure;
  return { list, baseDir: resolve(baseDir, args.cwd ?? ".") };
}

function startRun(
  client: CcExecutorClient,
  source: ListSource,
  options: { signal?: AbortSignal; streamOutput: boolean },
): TaskListRun {
  if ("path" in source) return client.runTaskList(source.path, options);
  return client.runTaskList(source.list, { ...options, baseDir: source.baseDir });
}

async function clientOf(
  ctx: ToolContext,
): Promise<{ client: CcExecutorClient; failed?: never } | { failed: CallToolResult }> {
  try {
    return { client: await ctx.link.client() };
  } catch (error) {
    return { failed: failure(describeError(error)) };
  }
}

export async function runTaskList(
  args: ListArgs,
  ctx: ToolContext,
  extra: ToolExtra,
): Promise<CallToolResult> {
  const source = listSource(args, ctx.baseDir);
  if (typeof source === "string") return failure(source);
  const link = await clientOf(ctx);
  if (link.failed) return link.failed;
  const { client } = link;
  // Aborting (notifications/cancelled) cancels the run in the server.
  const run = startRun(client, source, { signal: extra.signal, streamOutput: true });
  const progress = new ListProgress();
  try {
    const started = await run.started;
    progress.begin(started.total, started.start_task);
  } catch (error) {
    return failure(
      `The task list was not started: ${describeError(error)}\nFix that, then call the tool again.`,
    );
  }
  return followToEnd(client, run, ctx, extra, { progress, stopOnAbort: false });
}

export async function startTaskList(args: ListArgs, ctx: ToolContext): Promise<CallToolResult> {
  const source = listSource(args, ctx.baseDir);
  if (typeof source === "string") return failure(source);
  const link = await clientOf(ctx);
  if (link.failed) return link.failed;
  const { client } = link;
  const run = startRun(client, source, { streamOutput: false });
  try {
    const started = await run.started;
    const out: StartTaskListOutput = {
      run_id: started.run_id,
      name: started.name,
      status: started.status,
      total: started.total,
      result_dir: started.run_dir,
    };
    return success(
      `Started task list ${started.name ? `'${started.name}' ` : ""}with ${started.total} task(s): run_id ${started.run_id}. It runs in the cc-executor server, independent of this session. Check it with get_task_run {run_id: "${started.run_id}"}; wait for it with get_task_run {run_id: "${started.run_id}", wait: true}. Results go to ${started.run_dir}.`,
      out,
    );
  } catch (error) {
    return failure(
      `The task list was not started: ${describeError(error)}\nFix that, then call the tool again.`,
    );
  }
}

export async function getTaskRun(
  args: GetArgs,
  ctx: ToolContext,
  extra: ToolExtra,
): Promise<CallToolResult> {
  const link = await clientOf(ctx);
  if (link.failed) return link.failed;
  const { client } = link;
  let run: TaskRunWire;
  try {
    run = await client.request("tasks.get", { run_id: args.run_id });
  } catch (error) {
    return failure(`${describeError(error)}. list_runs shows the recent runs and their run_id.`);
  }
  if (args.wait !== true || run.status !== "running") return taskRunResult(run);
  // Waiting is only watching: a cancelled wait stops waiting, the run goes on (cancel stops it).
  const watch = client.watchTaskList(run.run_id, { streamOutput: true });
  const progress = new ListProgress();
  progress.seed(run);
  return followToEnd(client, watch, ctx, extra, { progress, stopOnAbort: true });
}

async function followToEnd(
  client: CcExecutorClient,
  run: TaskListRun,
  ctx: ToolContext,
  extra: ToolExtra,
  how: {
    progress: ListProgress;
    /**
     * true: a cancelled call stops waiting at once (watching only). false: the abort cancels
     * the run, and the call waits for its end, so no step outlives the cancellation.
     */
    stopOnAbort: boolean;
  },
): Promise<CallToolResult> {
  const { progress } = how;
  const reporter = new ProgressReporter(
    progressSender(extra),
    () => progress.snapshot(),
    ctx.progressIntervalMs,
  );
  reporter.start();
  try {
    const ended = progress.follow(client, run, reporter);
    const summary = how.stopOnAbort ? await untilAborted(ended, extra.signal) : await ended;
    if (summary === null) return failure("Stopped waiting; the run goes on in the server.");
    return taskRunResult(summary.run);
  } catch (error) {
    const id = run.id;
    return failure(
      `Lost track of the task list: ${describeError(error)}.${id ? ` It may still run in the server: get_task_run {run_id: "${id}", wait: true} re-attaches.` : ""}`,
    );
  } finally {
    reporter.stop();
  }
}

/** The promise's value, or null once `signal` aborts (whichever comes first). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | null> {
  if (signal.aborted) return Promise.resolve(null);
  return new Promise((resolvePromise, reject) => {
    const onAbort = () => resolvePromise(null);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolvePromise(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
