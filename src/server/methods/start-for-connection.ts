/**
 * `execute` and `claude.execute` alike: start through the engine for this connection, reply,
 * and only then attach the connection's subscription, so the reply precedes `process.started`.
 * With `kill_on_disconnect` the connection's closing cancels it — also while its pre hooks run,
 * when it is not admitted yet and so never starts.
 */
import type { ExecutionRequest } from "../../engine/engine.js";
import type { ExecuteResult } from "../../protocol/results.js";
import type { CallContext } from "../method-table.js";
import { executeReply } from "../wire/execute-reply.js";

export async function startForConnection(
  call: CallContext,
  request: ExecutionRequest,
): Promise<ExecuteResult> {
  const { connection, server } = call;
  const { sessionId } = connection;
  const started = await server.engine.start(request, {
    origin: { sessionId, task: null },
    sessionId,
    signal: request.params.kill_on_disconnect ? connection.closedSignal : undefined,
  });
  connection.executionCount++;
  call.afterReply(() => connection.subscribe(started.handle, 0));
  return executeReply(started);
}
