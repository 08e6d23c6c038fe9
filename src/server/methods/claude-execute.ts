/** `claude.execute`: a Claude Code run (DESIGN §6, docs/claude.md); replies like `execute`. */
import type { ExecuteResult } from "../../protocol/results.js";
import { defineMethod } from "../method-table.js";
import { startForConnection } from "./start-for-connection.js";

export const claudeExecute = defineMethod(
  "claude.execute",
  (params, call): Promise<ExecuteResult> => startForConnection(call, { kind: "claude", params }),
);
