/** `subscribe` / `unsubscribe`: (re-)attach to an execution's stream after a seq (DESIGN §4). */
import { ExecutionNotFoundError } from "../../engine/errors.js";
import type { ExecutionHandle } from "../../engine/execution-handle.js";
import type { SubscribeResult } from "../../protocol/results.js";
import { defineMethod } from "../method-table.js";

export const subscribe = defineMethod("subscribe", (params, call): SubscribeResult => {
  const execution = call.server.engine.get(params.execution_id);
  if (!execution) throw new ExecutionNotFoundError(`execution not found: ${params.execution_id}`);
  call.afterReply(() => call.connection.subscribe(execution, params.after_seq));
  return {
    execution_id: execution.id,
    status: execution.status,
    last_seq: execution.output.lastSeq,
    first_available_seq: firstAvailableSeq(execution),
  };
});

/**
 * The spool keeps the head of the output even past its cap (only middle segments are dropped,
 * and a replay reports those as `process.gap`), so everything from seq 1 is retrievable while
 * the spool works. Without one, only the memory window is left.
 */
function firstAvailableSeq(execution: ExecutionHandle): number {
  if (execution.spool?.readableFromStart) return 1;
  return execution.output.window.firstSeq ?? execution.output.lastSeq + 1;
}

export const unsubscribe = defineMethod("unsubscribe", (params, call) => ({
  execution_id: params.execution_id,
  unsubscribed: call.connection.unsubscribe(params.execution_id),
}));
