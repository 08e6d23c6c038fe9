/**
 * The task-list runtime (tasks-runtime.ts: reading and checking lists, templating, the runner),
 * loaded by the first `tasks.run` or `tasks.resume` (docs/architecture.md, "Loaded on first use").
 */
import { loadOnce } from "../runtime/load-once.js";

export const loadTasksRuntime = loadOnce(() => import("./tasks-runtime.js"));
