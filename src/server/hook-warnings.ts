/**
 * Where a hook warning goes (docs/hooks.md): about a task-list step, to the run's watchers;
 * otherwise to the connection the execution was started from, if it is still here.
 */
import type { HookService } from "../hooks/hook-service.js";
import type { TaskService } from "../tasks/task-service.js";
import type { RpcConnection } from "./rpc-connection.js";

export function routeHookWarnings(
  hooks: HookService,
  tasks: TaskService,
  connections: ReadonlySet<RpcConnection>,
): void {
  hooks.onWarning((warning, origin) => {
    if (warning.task) {
      tasks.hookWarning(warning);
      return;
    }
    if (origin.sessionId === null) return;
    for (const connection of connections) {
      if (connection.sessionId === origin.sessionId) connection.notify("hook.warning", warning);
    }
  });
}
