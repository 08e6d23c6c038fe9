/**
 * Parts of the server loaded on first use (docs/architecture.md, "Loaded on first use"): a
 * long-lived server pays for the code it holds all the time, and many never run Claude or a
 * task list. Each loads once; later calls share that load.
 */

export type ClaudeRuntime = typeof import("../claude/claude-runtime.js");
export type TasksRuntime = typeof import("../tasks/tasks-runtime.js");

export const loadClaudeRuntime = once(() => import("../claude/claude-runtime.js"));
export const loadTasksRuntime = once(() => import("../tasks/tasks-runtime.js"));

function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load();
    return loading;
  };
}
