/** `control`: PAUSE / RESUME / CANCEL an execution (DESIGN §4). */
import { ErrorCode, RpcError } from "../../protocol/errors.js";
import type { ControlResult } from "../../protocol/results.js";
import type { Execution } from "../../supervisor/execution/execution.js";
import type { CallContext } from "../method-table.js";
import { defineMethod } from "../method-table.js";

export const control = defineMethod("control", (params, call): ControlResult => {
  const execution = findTarget(params.execution_id, call);
  const id = execution.id;
  call.server.audit.record({
    event: "signal",
    execution_id: id,
    action: params.type,
    session_id: call.connection.sessionId,
  });
  switch (params.type) {
    case "PAUSE":
      if (!execution.pause()) throw notRunning(execution, "paused");
      return { status: "paused", execution_id: id };
    case "RESUME":
      if (!execution.resume()) throw notRunning(execution, "resumed");
      return { status: "resumed", execution_id: id };
    case "CANCEL":
      if (!execution.cancel()) throw notRunning(execution, "canceled");
      return { status: "canceled", execution_id: id };
  }
});

function notRunning(execution: Execution, action: string): RpcError {
  return new RpcError(
    ErrorCode.InvalidParams,
    `execution ${execution.id} cannot be ${action}: it is ${execution.status}`,
    { execution_id: execution.id, status: execution.status },
  );
}

/** The named execution, or the connection's only running one (the original's behaviour). */
function findTarget(executionId: string | undefined, call: CallContext): Execution {
  const { supervisor } = call.server;
  if (executionId !== undefined) {
    const execution = supervisor.get(executionId);
    if (!execution)
      throw new RpcError(ErrorCode.ExecutionNotFound, `execution not found: ${executionId}`);
    return execution;
  }
  const mine = supervisor
    .list({ limit: Number.MAX_SAFE_INTEGER })
    .filter((e) => e.spec.sessionId === call.connection.sessionId && !e.isFinal);
  if (mine.length === 1) return mine[0] as Execution;
  if (mine.length === 0)
    throw new RpcError(ErrorCode.ExecutionNotFound, "no running execution on this connection");
  throw new RpcError(
    ErrorCode.InvalidParams,
    `this connection has ${mine.length} executions; name one with execution_id`,
  );
}
