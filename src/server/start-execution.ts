/**
 * Shared by `execute` and (later) `claude.execute`: admit the execution, audit it, reply, and
 * only then attach the caller's subscription, so the reply precedes `process.started`.
 */
import type { ExecuteResult } from "../protocol/results.js";
import type { Execution } from "../supervisor/execution/execution.js";
import type { ExecutionSpec } from "../supervisor/execution/execution-spec.js";
import type { Admission } from "../supervisor/supervisor.js";
import type { CallContext } from "./method-table.js";
import type { ServerContext } from "./server-context.js";

export function startExecution(
  call: CallContext,
  spec: ExecutionSpec,
  prepare?: (execution: Execution) => void,
): ExecuteResult {
  const { execution, queuedAt } = admitExecution(call.server, spec, prepare);
  call.connection.executionCount++;
  call.afterReply(() => call.connection.subscribe(execution, 0));
  return admissionResult(spec, execution, queuedAt);
}

/**
 * Admits an execution for any caller — a connection's method or a task-list step: submits it
 * (it starts now or queues) and audits it. `who` names a caller that is not a connection.
 */
export function admitExecution(
  server: ServerContext,
  spec: ExecutionSpec,
  prepare?: (execution: Execution) => void,
  who?: string,
): Admission {
  const admission = server.supervisor.submit(spec, prepare);
  server.audit.record({
    event: "execute",
    execution_id: spec.id,
    command: spec.command,
    cwd: spec.spawn.cwd,
    session_id: spec.sessionId,
    kind: spec.kind,
    ...(who ? { who } : {}),
  });
  return admission;
}

/** The reply of an execution-creating method: started (pid) or queued (position). */
export function admissionResult(
  spec: ExecutionSpec,
  execution: Execution,
  queuedAt: number | null,
): ExecuteResult {
  const extras: Pick<ExecuteResult, "estimated_seconds" | "timeout_seconds"> = {};
  if (spec.usualMs) extras.estimated_seconds = Math.ceil(spec.usualMs / 100) / 10;
  if (spec.timeoutMs !== null) extras.timeout_seconds = spec.timeoutMs / 1000;
  if (queuedAt !== null) {
    return { status: "queued", execution_id: spec.id, position: queuedAt, ...extras };
  }
  // A spawn that failed at once still answers "started" (pid -1); process.error and a failed
  // process.completed follow on the subscription.
  const pid = execution.pid ?? -1;
  return { status: "started", execution_id: spec.id, pid, pgid: pid, ...extras };
}
