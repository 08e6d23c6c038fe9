/** The `/ws/mcp` dispatch table: every method of the contract by its exact name. */
import type { MethodName } from "../../protocol/method-map.js";
import type { MethodDefinition, MethodHandler, MethodTable } from "../method-table.js";
import { claudeExecute } from "./claude-execute.js";
import { control } from "./control.js";
import { dashboardCode } from "./dashboard-code.js";
import { execute } from "./execute.js";
import { executionsSubscribe, executionsUnsubscribe } from "./executions-feed.js";
import { historyGet, historyList } from "./history.js";
import { executionsList, hookStatus, pong, serverStatusMethod } from "./status.js";
import { subscribe, unsubscribe } from "./subscribe.js";
import { tasksCancel, tasksGet, tasksList, tasksResume, tasksRun } from "./tasks.js";

/** A method of the contract without its handler here, or under the wrong name, is a type error. */
const handlers: { readonly [M in MethodName]: MethodHandler<M> } = {
  execute,
  control,
  subscribe,
  unsubscribe,
  hook_status: hookStatus,
  pong,
  "executions.list": executionsList,
  "executions.subscribe": executionsSubscribe,
  "executions.unsubscribe": executionsUnsubscribe,
  "server.status": serverStatusMethod,
  "history.list": historyList,
  "history.get": historyGet,
  "claude.execute": claudeExecute,
  "tasks.run": tasksRun,
  "tasks.get": tasksGet,
  "tasks.resume": tasksResume,
  "tasks.cancel": tasksCancel,
  "tasks.list": tasksList,
  "dashboard.code": dashboardCode,
};

export function rpcMethods(): MethodTable {
  return new Map<string, MethodDefinition>(Object.entries(handlers));
}
