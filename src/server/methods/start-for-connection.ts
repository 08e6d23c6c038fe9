/**
 * `execute` and `claude.execute` alike: start through the engine for this connection, reply,
 * and only then attach the connection's subscription, so the reply precedes `process.started`.
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
  });
  connection.executionCount++;
  call.afterReply(() => connection.subscribe(started.handle, 0));
  return executeReply(started);
}
