/** `control`: PAUSE / RESUME / CANCEL an execution (DESIGN §4). */
import { ExecutionNotFoundError, InvalidRequestError } from "../../engine/errors.js";
import type { ExecutionHandle } from "../../engine/execution-handle.js";
import type { ControlResult } from "../../protocol/results.js";
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

function notRunning(execution: ExecutionHandle, action: string): InvalidRequestError {
  return new InvalidRequestError(
    `execution ${execution.id} cannot be ${action}: it is ${execution.status}`,
    { execution_id: execution.id, status: execution.status },
  );
}

/** The named execution, or the connection's only running one (the original's behaviour). */
function findTarget(executionId: string | undefined, call: CallContext): ExecutionHandle {
  const { engine } = call.server;
  if (executionId !== undefined) {
    const execution = engine.get(executionId);
    if (!execution) throw new ExecutionNotFoundError(`execution not found: ${executionId}`);
    return execution;
  }
  const mine = engine
    .list({ sessionId: call.connection.sessionId, limit: Number.MAX_SAFE_INTEGER })
    .filter((e) => !e.isFinal);
  if (mine.length === 1) return mine[0] as ExecutionHandle;
  if (mine.length === 0)
    throw new ExecutionNotFoundError("no running execution on this connection");
  throw new InvalidRequestError(
    `this connection has ${mine.length} executions; name one with execution_id`,
  );
}
