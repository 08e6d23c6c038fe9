/**
 * Shared by `execute` and (later) `claude.execute`: admit the execution, audit it, reply, and
 * only then attach the caller's subscription, so the reply precedes `process.started`.
 */
import type { ExecuteResult } from "../protocol/results.js";
import type { Execution, ExecutionSpec } from "../supervisor/execution.js";
import type { CallContext } from "./method-table.js";

export function startExecution(
  call: CallContext,
  spec: ExecutionSpec,
  prepare?: (execution: Execution) => void,
): ExecuteResult {
  const { supervisor, audit } = call.server;
  const { execution, queuedAt } = supervisor.submit(spec, prepare);
  call.connection.executionCount++;
  audit.record({
    event: "execute",
    execution_id: spec.id,
    command: spec.command,
    cwd: spec.spawn.cwd,
    session_id: spec.sessionId,
    kind: spec.kind,
  });
  call.afterReply(() => call.connection.subscribe(execution, 0));
  if (queuedAt !== null) return { status: "queued", execution_id: spec.id, position: queuedAt };
  if (execution.pid === null) {
    // Spawn failed synchronously-ish: the reply still says started; process.error and
    // process.completed (failed) follow on the subscription.
    return { status: "started", execution_id: spec.id, pid: -1, pgid: -1 };
  }
  return { status: "started", execution_id: spec.id, pid: execution.pid, pgid: execution.pid };
}
