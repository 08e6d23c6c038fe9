/**
 * Composition of hooks and task lists into a server (DESIGN §7): the HookService from the
 * settings (its post hooks observe every execution), the TaskService on the history store (it
 * marks runs a dead predecessor left running as interrupted), and where hook warnings go — to
 * the watchers of a task-list run for its steps, else to the connection that started it.
 */
import type { Settings } from "../config/settings.js";
import { createHooks } from "../hooks/create-hooks.js";
import type { HookService } from "../hooks/hook-service.js";
import type { Logger } from "../log/logger.js";
import type { HistoryService } from "../store/history-service.js";
import type { Supervisor } from "../supervisor/supervisor.js";
import { TaskService } from "../tasks/task-service.js";
import { serverSteps } from "../tasks/task-steps.js";
import type { ServerContext } from "./server-context.js";

export interface HooksAndTasks {
  hooks: HookService;
  tasks: TaskService;
}

export async function startHooksAndTasks(
  settings: Settings,
  parts: {
    history: HistoryService;
    supervisor: Supervisor;
    logger: Logger;
    shellPath: string;
    runsRoot: string;
    /** The server context, once built (steps and warnings need it only later). */
    context: () => ServerContext;
  },
): Promise<HooksAndTasks> {
  const { logger } = parts;
  const hooks = createHooks(settings, { shellPath: parts.shellPath, logger });
  const tasks = new TaskService({
    store: parts.history.store,
    runsRoot: parts.runsRoot,
    steps: serverSteps(parts.context),
    identity: parts.history.recorder.identity,
    logger,
  });
  const recovered = await tasks.recover();
  if (recovered.length > 0) {
    logger.warn(
      { runs: recovered },
      "task lists left running by a previous server were marked interrupted (tasks resume <id>)",
    );
  }
  hooks.taskOf = (executionId) => tasks.taskOf(executionId);
  parts.supervisor.observe({ ended: (execution) => hooks.ended(execution) });
  hooks.onWarning((warning, origin) => {
    if (warning.task) {
      tasks.hookWarning(warning);
      return;
    }
    if (origin.sessionId === null) return;
    for (const connection of parts.context().connections) {
      if (connection.sessionId === origin.sessionId) connection.notify("hook.warning", warning);
    }
  });
  return { hooks, tasks };
}
