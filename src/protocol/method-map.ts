/**
 * The contract of every JSON-RPC method (DESIGN §4, docs/protocol.md): its params schema and the
 * type of its result, as on the wire. The server's dispatch table is built from it
 * (src/server/methods/index.ts): a handler gets the parsed params and must return the result.
 * The client's `request(method, params)` takes what a caller sends and resolves with the result.
 */
import {
  HistoryGetParams,
  type HistoryGetResult,
  HistoryListParams,
  type HistoryListResult,
} from "./history.js";
import type { HookStatusResult } from "./hooks.js";
import {
  ClaudeExecuteParams,
  ControlParams,
  ExecuteParams,
  ExecutionsListParams,
  NoParams,
  PongParams,
  SubscribeParams,
  UnsubscribeParams,
} from "./methods.js";
import type {
  ControlResult,
  DashboardCodeResult,
  ExecuteResult,
  ExecutionsListResult,
  ExecutionsSubscribeResult,
  PongResult,
  ServerStatusResult,
  SubscribeResult,
  UnsubscribeResult,
} from "./results.js";
import {
  type TaskRunSummaryWire,
  type TaskRunWire,
  TasksCancelParams,
  TasksGetParams,
  TasksListParams,
  type TasksListResult,
  TasksResumeParams,
  TasksRunParams,
  type TasksStartResult,
} from "./tasks.js";
import type * as z from "./zod.js";

export interface Methods {
  execute: { params: typeof ExecuteParams; result: ExecuteResult };
  control: { params: typeof ControlParams; result: ControlResult };
  subscribe: { params: typeof SubscribeParams; result: SubscribeResult };
  unsubscribe: { params: typeof UnsubscribeParams; result: UnsubscribeResult };
  hook_status: { params: typeof NoParams; result: HookStatusResult };
  pong: { params: typeof PongParams; result: PongResult };
  "executions.list": { params: typeof ExecutionsListParams; result: ExecutionsListResult };
  "executions.subscribe": { params: typeof NoParams; result: ExecutionsSubscribeResult };
  "executions.unsubscribe": { params: typeof NoParams; result: ExecutionsSubscribeResult };
  "server.status": { params: typeof NoParams; result: ServerStatusResult };
  "history.list": { params: typeof HistoryListParams; result: HistoryListResult };
  "history.get": { params: typeof HistoryGetParams; result: HistoryGetResult };
  "claude.execute": { params: typeof ClaudeExecuteParams; result: ExecuteResult };
  "tasks.run": { params: typeof TasksRunParams; result: TasksStartResult };
  "tasks.get": { params: typeof TasksGetParams; result: TaskRunWire };
  "tasks.resume": { params: typeof TasksResumeParams; result: TasksStartResult };
  "tasks.cancel": { params: typeof TasksCancelParams; result: TaskRunSummaryWire };
  "tasks.list": { params: typeof TasksListParams; result: TasksListResult };
  "dashboard.code": { params: typeof NoParams; result: DashboardCodeResult };
}

export type MethodName = keyof Methods;
/** What a caller sends: fields with a default may be left out. */
export type ParamsOf<M extends MethodName> = z.input<Methods[M]["params"]>;
/** What a handler gets: the params as the schema parsed them (defaults in, values normalised). */
export type ParsedParamsOf<M extends MethodName> = z.infer<Methods[M]["params"]>;
/** What the server answers. */
export type ResultOf<M extends MethodName> = Methods[M]["result"];

/** The params schemas at run time (the server validates with them), one for each of Methods. */
export const METHOD_PARAMS: { readonly [M in MethodName]: Methods[M]["params"] } = {
  execute: ExecuteParams,
  control: ControlParams,
  subscribe: SubscribeParams,
  unsubscribe: UnsubscribeParams,
  hook_status: NoParams,
  pong: PongParams,
  "executions.list": ExecutionsListParams,
  "executions.subscribe": NoParams,
  "executions.unsubscribe": NoParams,
  "server.status": NoParams,
  "history.list": HistoryListParams,
  "history.get": HistoryGetParams,
  "claude.execute": ClaudeExecuteParams,
  "tasks.run": TasksRunParams,
  "tasks.get": TasksGetParams,
  "tasks.resume": TasksResumeParams,
  "tasks.cancel": TasksCancelParams,
  "tasks.list": TasksListParams,
  "dashboard.code": NoParams,
};

/** Every method the server answers; the dispatch table is keyed by exactly these names. */
export const METHOD_NAMES = Object.keys(METHOD_PARAMS) as readonly MethodName[];
