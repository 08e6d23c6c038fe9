/** `claude.execute`: a Claude Code run (DESIGN §6, docs/claude.md); replies like `execute`. */
import { randomUUID } from "node:crypto";
import { loadClaudeRuntime } from "../../engine/lazy-runtimes.js";
import type { ExecuteResult } from "../../protocol/results.js";
import { defineMethod } from "../method-table.js";
import { admissionResult } from "../start-execution.js";

export const claudeExecute = defineMethod(
  "claude.execute",
  async (params, call): Promise<ExecuteResult> => {
    const { connection, server } = call;
    const id = params.execution_id ?? randomUUID();
    const origin = { sessionId: connection.sessionId, task: null };
    const request = await server.hooks.before("claude", params, id, origin);
    const { startClaudeExecution } = await loadClaudeRuntime();
    const { execution, queuedAt } = await startClaudeExecution(
      server,
      { ...request, execution_id: id },
      connection.sessionId,
    );
    connection.executionCount++;
    call.afterReply(() => connection.subscribe(execution, 0));
    return admissionResult(execution.spec, execution, queuedAt);
  },
);
