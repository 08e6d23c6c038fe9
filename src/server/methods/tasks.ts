/**
 * `tasks.run`, `tasks.resume`, `tasks.get`, `tasks.cancel`, `tasks.list` (DESIGN §7,
 * docs/tasks.md). The run lives in the server: the caller is only its first watcher, and the
 * run goes on if it disconnects. The reply comes before the run's first notification.
 */
import { resolve } from "node:path";
import { InvalidRequestError } from "../../engine/errors.js";
import type { TasksRunParams, TasksStartResult } from "../../protocol/tasks.js";
import { TaskListError } from "../../tasks/task-list-error.js";
import type { ResolvedTaskList } from "../../tasks/task-list-schema.js";
import { runDirOf, toRunSummary, toRunWire } from "../../tasks/task-run-wire.js";
import type { PendingRun, TaskWatcher } from "../../tasks/task-service.js";
import { loadTasksRuntime } from "../../tasks/tasks-runtime-loader.js";
import { type CallContext, defineMethod } from "../method-table.js";

export const tasksRun = defineMethod("tasks.run", async (params, call) => {
  const list = await readList(params);
  const { tasks } = call.server;
  const pending = await tasks.start(list, {
    sessionId: call.connection.sessionId,
    runId: params.run_id,
    watcher: watcherOf(call, params.stream_output),
  });
  return launchAfterReply(pending, call);
});

export const tasksResume = defineMethod("tasks.resume", async (params, call) => {
  const pending = await call.server.tasks.resume(params.run_id, {
    sessionId: call.connection.sessionId,
    watcher: watcherOf(call, params.stream_output),
  });
  return launchAfterReply(pending, call);
});

export const tasksGet = defineMethod("tasks.get", async (params, call) => {
  const { tasks } = call.server;
  const record = await tasks.get(params.run_id);
  const wire = toRunWire(record, tasks.runsRoot);
  // Watching starts after the reply, so the run's state comes before its next notification.
  if (params.subscribe) {
    const watcher = watcherOf(call, params.stream_output);
    call.afterReply(() =>
      wire.status === "running"
        ? void tasks.watchOrTell(record.runId, watcher)
        : tasks.watch(record.runId, watcher),
    );
  }
  return wire;
});

export const tasksCancel = defineMethod("tasks.cancel", async (params, call) => {
  const record = await call.server.tasks.cancel(params.run_id);
  return toRunSummary(record, call.server.tasks.runsRoot);
});

export const tasksList = defineMethod("tasks.list", async (params, call) => {
  const { tasks } = call.server;
  const statuses = params.status === undefined ? undefined : [params.status].flat();
  const records = await tasks.list({ limit: params.limit, statuses });
  return { runs: records.map((record) => toRunSummary(record, tasks.runsRoot)) };
});

async function readList(params: TasksRunParams): Promise<ResolvedTaskList> {
  const { loadTaskListFile, parseTaskListText, resolveTaskList } = await loadTasksRuntime();
  const baseDir = resolve(params.base_dir ?? process.cwd());
  try {
    if (params.path !== undefined) return await loadTaskListFile(resolve(params.path));
    // The params' check makes `format` present whenever `text` is.
    if (params.text !== undefined && params.format !== undefined)
      return await parseTaskListText(params.text, params.format, { file: null, baseDir });
    return resolveTaskList(params.list, { source: null, file: null, format: "inline", baseDir });
  } catch (error) {
    if (error instanceof TaskListError) {
      throw new InvalidRequestError(`Invalid task list: ${error.message}`, {
        issues: error.issues,
      });
    }
    throw error;
  }
}

function launchAfterReply(pending: PendingRun, call: CallContext): TasksStartResult {
  call.afterReply(() => void pending.launch());
  const { record } = pending;
  return {
    run_id: record.runId,
    status: "running",
    name: record.name,
    total: record.list.tasks.length,
    start_task: pending.startIndex + 1,
    run_dir: runDirOf(call.server.tasks.runsRoot, record.runId),
  };
}

function watcherOf(call: CallContext, streamOutput: boolean): TaskWatcher {
  const { connection, server } = call;
  const watcher: TaskWatcher = {
    key: connection.sessionId,
    notify: (method, params) => connection.notify(method, params),
    alive: () => server.connections.has(connection),
  };
  if (streamOutput) watcher.follow = (execution) => connection.subscribe(execution, 0);
  return watcher;
}
