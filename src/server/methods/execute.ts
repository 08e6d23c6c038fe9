/** `execute`: run a shell command (DESIGN §4, §5). */
import { ExecuteParams } from "../../protocol/methods.js";
import type { ExecuteResult } from "../../protocol/results.js";
import { defineMethod } from "../method-table.js";
import { startForConnection } from "./start-for-connection.js";

export const execute = defineMethod(
  ExecuteParams,
  (params, call): Promise<ExecuteResult> => startForConnection(call, { kind: "command", params }),
);
