/**
 * What the server needs only once a task list is run: reading and checking lists (their
 * schemas, templating) and the runner. Loaded through `loadTasksRuntime()` (tasks-runtime-loader.ts).
 */
export { loadTaskListFile, parseTaskListText, resolveTaskList } from "./load-task-list.js";
export { TaskRunner } from "./task-runner.js";
