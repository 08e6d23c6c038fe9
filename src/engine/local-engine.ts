/**
 * The engine of one machine: requests become executions of this server's supervisor (process
 * groups, spool, caps and queue). See engine.ts for the contract.
 */
import type { Settings } from "../config/settings.js";
import type { HookService } from "../hooks/hook-service.js";
import type { AuditLog } from "../log/audit-log.js";
import type { TimeoutEstimator } from "../store/timeout-estimator.js";
import type { Execution } from "../supervisor/execution/execution.js";
import type { Supervisor } from "../supervisor/supervisor.js";
import { cancelOnAbort } from "./cancel-on-abort.js";
import type {
  EngineLoad,
  EngineObserver,
  ExecutionEngine,
  ExecutionRequest,
  StartContext,
  StartedExecution,
} from "./engine.js";
import type { ExecutionHandle } from "./execution-handle.js";
import { auditStart, prepareRequest } from "./prepare-request.js";

export interface LocalEngineParts {
  settings: Settings;
  supervisor: Supervisor;
  /** Decides `timeout: "auto"` from history (store/timeout-estimator.ts). */
  estimator: Pick<TimeoutEstimator, "decide">;
  hooks: Pick<HookService, "before">;
  audit: AuditLog;
  /** Resolved once at start: the shell for commands, and stdbuf when installed. */
  shellPath: string;
  stdbufPath: string | null;
}

/** What LocalEngine.start gives: the supervisor's execution itself (a worker holds and interrupts it). */
export interface LocalStarted extends StartedExecution {
  handle: Execution;
}

export class LocalEngine implements ExecutionEngine {
  /** Its parts, as given (tests reach the supervisor and the shell path here). */
  constructor(readonly parts: LocalEngineParts) {}

  async start(request: ExecutionRequest, context: StartContext): Promise<LocalStarted> {
    context.signal?.throwIfAborted();
    const { prepared } = await prepareRequest(request, context, this.parts);
    // Aborted while hooks ran: nothing was admitted yet.
    context.signal?.throwIfAborted();
    const { execution, queuedAt } = this.parts.supervisor.submit(prepared.spec, (created) => {
      prepared.attach?.(created);
      if (context.listener) created.addListener(context.listener);
    });
    auditStart(this.parts.audit, prepared, context.who);
    if (context.signal) cancelOnAbort(execution, context.signal);
    return { handle: execution, queuedAt };
  }

  get(executionId: string): ExecutionHandle | undefined {
    return this.parts.supervisor.get(executionId);
  }

  list(filter: { status?: ExecutionHandle["status"][]; sessionId?: string; limit: number }) {
    const { sessionId } = filter;
    if (sessionId === undefined) return this.parts.supervisor.list(filter);
    return this.parts.supervisor
      .list({ status: filter.status, limit: Number.MAX_SAFE_INTEGER })
      .filter((execution) => execution.spec.sessionId === sessionId)
      .slice(0, filter.limit);
  }

  observe(observer: EngineObserver): void {
    this.parts.supervisor.observe(observer);
  }

  load(): EngineLoad {
    const { supervisor } = this.parts;
    const { maxConcurrent, maxPerConnection, maxQueue } = supervisor.limitsInUse;
    return {
      running: supervisor.runningCount,
      queued: supervisor.queuedCount,
      retained: supervisor.retainedCount,
      limits: { maxConcurrent, maxPerConnection, maxQueue },
    };
  }

  shutdown(): Promise<void> {
    return this.parts.supervisor.shutdown();
  }
}
