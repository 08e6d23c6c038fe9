/** `subscribe` / `unsubscribe`: (re-)attach to an execution's stream after a seq (DESIGN §4). */
import { ErrorCode, RpcError } from "../../protocol/errors.js";
import { SubscribeParams, UnsubscribeParams } from "../../protocol/methods.js";
import type { SubscribeResult } from "../../protocol/results.js";
import { defineMethod } from "../method-table.js";

export const subscribe = defineMethod(SubscribeParams, (params, call): SubscribeResult => {
  const execution = call.server.supervisor.get(params.execution_id);
  if (!execution) {
    throw new RpcError(ErrorCode.ExecutionNotFound, `execution not found: ${params.execution_id}`);
  }
  call.afterReply(() => call.connection.subscribe(execution, params.after_seq));
  const windowFirst = execution.output.window.firstSeq;
  return {
    execution_id: execution.id,
    status: execution.status,
    last_seq: execution.output.lastSeq,
    first_available_seq: execution.spool?.capped ? (windowFirst ?? 1) : 1,
  };
});

export const unsubscribe = defineMethod(UnsubscribeParams, (params, call) => ({
  execution_id: params.execution_id,
  unsubscribed: call.connection.unsubscribe(params.execution_id),
}));
