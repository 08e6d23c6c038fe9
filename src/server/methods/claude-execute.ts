/** `claude.execute`: a Claude Code run (DESIGN §6, docs/claude.md); replies like `execute`. */
import { ClaudeExecuteParams } from "../../protocol/methods.js";
import type { ExecuteResult } from "../../protocol/results.js";
import { defineMethod } from "../method-table.js";
import { startForConnection } from "./start-for-connection.js";

export const claudeExecute = defineMethod(
  ClaudeExecuteParams,
  (params, call): Promise<ExecuteResult> => startForConnection(call, { kind: "claude", params }),
);
