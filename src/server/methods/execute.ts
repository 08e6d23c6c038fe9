/** `execute`: run a shell command (DESIGN §4, §5). */
import type { ExecuteResult } from "../../protocol/results.js";
import { defineMethod } from "../method-table.js";
import { startForConnection } from "./start-for-connection.js";

export const execute = defineMethod(
  "execute",
  (params, call): Promise<ExecuteResult> => startForConnection(call, { kind: "command", params }),
);
