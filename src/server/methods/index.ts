/** The `/ws/mcp` dispatch table: every method by its exact name. */
import type { MethodDefinition, MethodTable } from "../method-table.js";
import { claudeExecute } from "./claude-execute.js";
import { control } from "./control.js";
import { execute } from "./execute.js";
import { historyGet, historyList } from "./history.js";
import { executionsList, hookStatus, pong, serverStatusMethod } from "./status.js";
import { subscribe, unsubscribe } from "./subscribe.js";
import { tasksCancel, tasksGet, tasksList, tasksResume, tasksRun } from "./tasks.js";

export function rpcMethods(): MethodTable {
  return new Map<string, MethodDefinition>([
    ["execute", execute],
    ["control", control],
    ["subscribe", subscribe],
    ["unsubscribe", unsubscribe],
    ["hook_status", hookStatus],
    ["pong", pong],
    ["executions.list", executionsList],
    ["server.status", serverStatusMethod],
    ["history.list", historyList],
    ["history.get", historyGet],
    ["claude.execute", claudeExecute],
    ["tasks.run", tasksRun],
    ["tasks.get", tasksGet],
    ["tasks.resume", tasksResume],
    ["tasks.cancel", tasksCancel],
    ["tasks.list", tasksList],
  ]);
}
