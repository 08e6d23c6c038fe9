/**
 * The parts of a server below its sockets, built once, in order, each from the ones before it:
 * history (first: it marks what a dead predecessor left running before anything new starts), the
 * supervisor, the hooks, the engine every execution starts through, what observes the engine
 * (history, post hooks, the audit of exits), and the task lists on top of the engine.
 */

import type { HomePaths } from "../config/home.js";
import type { Settings } from "../config/settings.js";
import type { ExecutionEngine } from "../engine/engine.js";
import { LocalEngine, type LocalEngineParts } from "../engine/local-engine.js";
import { createHooks } from "../hooks/create-hooks.js";
import type { HookService } from "../hooks/hook-service.js";
import type { AuditLog } from "../log/audit-log.js";
import type { Logger } from "../log/logger.js";
import { type HistoryService, startHistory } from "../store/history-service.js";
import type { StoreTiming } from "../store/timed-store.js";
import { captureServerEnv } from "../supervisor/process/child-env.js";
import { findExecutable, resolveShell } from "../supervisor/process/shell.js";
import { SpoolJanitor } from "../supervisor/spool/spool-janitor.js";
import { Supervisor } from "../supervisor/supervisor.js";
import { TaskService } from "../tasks/task-service.js";
import { engineSteps } from "../tasks/task-steps.js";
import { executionSettings } from "./execution-settings.js";
import { HistoryRecorder } from "./history/history-recorder.js";
import { completedParams } from "./wire/execution-notifications.js";

export interface ServerParts {
  history: HistoryService;
  recorder: HistoryRecorder;
  /** LocalEngine, or in queue mode (settings.queueUrl) the queued one (engine/queued/). */
  engine: ExecutionEngine;
  hooks: HookService;
  tasks: TaskService;
  /** The spool disk budget (its use is a metric). */
  spoolJanitor: SpoolJanitor;
}

export async function startParts(
  settings: Settings,
  paths: HomePaths,
  log: { logger: Logger; audit: AuditLog; storeTiming?: StoreTiming },
): Promise<ServerParts> {
  const { logger, audit } = log;
  captureServerEnv();
  const history = await startHistory(settings, {
    logger,
    memory: settings.history === "off",
    redisKeyPrefix: settings.redisKeyPrefix,
    retention: {
      maxAgeMs: settings.historyMaxAgeMs || null,
      maxRows: settings.historyMaxRows || null,
    },
    estimator: { margin: settings.timeoutMargin },
    timing: log.storeTiming,
  });
  const spoolJanitor = new SpoolJanitor({
    root: paths.spool,
    totalCapBytes: settings.spoolTotalCapBytes,
    maxKept: settings.spoolMaxKept,
    maxAgeMs: settings.spoolMaxAgeMs,
  });
  await spoolJanitor.start();
  const shellPath = resolveShell(settings.shell);
  const hooks = createHooks(settings, { shellPath, logger });
  const prepareParts = {
    settings,
    estimator: history.estimator,
    hooks,
    audit,
    shellPath,
    stdbufPath: findExecutable("stdbuf"),
  };
  const engine: ExecutionEngine = settings.queueUrl
    ? await queuedEngine(settings, settings.queueUrl, prepareParts, {
        spoolRoot: paths.spool,
        logger,
        spoolJanitor,
      })
    : new LocalEngine({
        ...prepareParts,
        supervisor: localSupervisor(settings, paths, logger, spoolJanitor),
      });
  const recorder = new HistoryRecorder(history.batcher, { identity: history.identity });
  engine.observe(recorder);
  engine.observe({
    ended: (execution) => {
      const result = execution.result;
      if (!result) return;
      const completion = completedParams(result);
      hooks.after(execution.spec, completion);
      audit.record({
        event: "exit",
        execution_id: completion.execution_id,
        status: completion.status,
        exit_code: completion.exit_code,
        signal: completion.signal,
        duration_ms: completion.duration_ms,
      });
    },
  });
  const tasks = new TaskService({
    store: history.store,
    runsRoot: paths.runs,
    steps: engineSteps(engine),
    identity: history.identity,
    logger,
  });
  const recovered = await tasks.recover();
  if (recovered.length > 0) {
    logger.warn(
      { runs: recovered },
      "task lists left running by a previous server were marked interrupted (tasks resume <id>)",
    );
  }
  return { history, recorder, engine, hooks, tasks, spoolJanitor };
}

/** Queue mode: loaded only then (BullMQ is not needed by a server that spawns itself). */
async function queuedEngine(
  settings: Settings,
  queueUrl: string,
  parts: Omit<LocalEngineParts, "supervisor">,
  where: { spoolRoot: string; logger: Logger; spoolJanitor: SpoolJanitor },
): Promise<ExecutionEngine> {
  const { QueuedEngine } = await import("../engine/queued/queued-engine.js");
  const engine = new QueuedEngine({
    ...parts,
    queueUrl,
    queuePrefix: settings.queuePrefix,
    limits: {
      maxPerConnection: settings.maxPerConnection,
      maxQueue: settings.maxQueue,
      retainEnded: settings.retainEnded,
    },
    settingsFor: (spec) =>
      executionSettings(settings, where.spoolRoot, spec, where.logger, where.spoolJanitor),
    spoolJanitor: where.spoolJanitor,
    warn: (message, details) => where.logger.warn(details ?? {}, message),
  });
  engine.open();
  return engine;
}

function localSupervisor(
  settings: Settings,
  paths: HomePaths,
  logger: Logger,
  spoolJanitor: SpoolJanitor,
): Supervisor {
  return new Supervisor(
    {
      maxConcurrent: settings.maxConcurrent,
      maxPerConnection: settings.maxPerConnection,
      maxQueue: settings.maxQueue,
      retainEnded: settings.retainEnded,
      // Ended executions whose spool is incomplete keep their window: at most eight windows' worth.
      maxRetainedWindowBytes: 8 * settings.maxBufferBytes,
    },
    (spec) => executionSettings(settings, paths.spool, spec, logger, spoolJanitor),
    spoolJanitor,
  );
}
