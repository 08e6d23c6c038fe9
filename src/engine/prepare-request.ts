/**
 * A request made ready to run, the same for every engine: validated, through the pre-hooks,
 * checked against ALLOWED_COMMANDS, its timeout decided, built into a spec; and its audit record.
 * LocalEngine admits the spec to its supervisor; the queued engine (queued/) sends the hooked
 * request to a worker.
 */
import { randomUUID } from "node:crypto";
import type { Settings } from "../config/settings.js";
import type { HookService } from "../hooks/hook-service.js";
import type { AuditLog } from "../log/audit-log.js";
import {
  ClaudeExecuteParams,
  type ClaudeExecuteRequest,
  ExecuteParams,
  type ExecuteRequest,
} from "../protocol/methods.js";
import type { TimeoutEstimator } from "../store/timeout-estimator.js";
import { commandExecution } from "./command-execution.js";
import type { ExecutionRequest, StartContext } from "./engine.js";
import { loadClaudeExecution } from "./lazy-runtimes.js";
import type { PrepareContext, PreparedExecution } from "./prepared-execution.js";
import { parsedRequest } from "./request-checks.js";

export interface PrepareParts {
  settings: Settings;
  estimator: Pick<TimeoutEstimator, "decide">;
  hooks: Pick<HookService, "before">;
  shellPath: string;
  stdbufPath: string | null;
}

export interface ReadyRequest {
  prepared: PreparedExecution;
  /** The request as the pre-hooks left it (what a worker runs). */
  hooked: ExecutionRequest;
}

export async function prepareRequest(
  request: ExecutionRequest,
  context: StartContext,
  parts: PrepareParts,
  resolveCwd?: PrepareContext["resolveCwd"],
): Promise<ReadyRequest> {
  const prepareContext: PrepareContext = {
    settings: parts.settings,
    estimator: parts.estimator,
    shellPath: parts.shellPath,
    stdbufPath: parts.stdbufPath,
    sessionId: context.sessionId,
    task: context.origin.task,
    resolveCwd,
  };
  if (request.kind === "command") {
    const params = parsedRequest(ExecuteParams, request.params);
    const id = params.execution_id ?? randomUUID();
    const hooked = await parts.hooks.before("command", params, id, context.origin);
    const prepared = await commandExecution(hooked, id, prepareContext, params.env);
    const sent: ExecuteRequest = { ...hooked, execution_id: id };
    return { prepared, hooked: { kind: "command", params: sent } };
  }
  const params = parsedRequest(ClaudeExecuteParams, request.params);
  const id = params.execution_id ?? randomUUID();
  const hooked = await parts.hooks.before("claude", params, id, context.origin);
  const { claudeExecution } = await loadClaudeExecution();
  const prepared = await claudeExecution(hooked, id, prepareContext, params.env);
  const sent: ClaudeExecuteRequest = { ...hooked, execution_id: id };
  return { prepared, hooked: { kind: "claude", params: sent } };
}

export function auditStart(
  audit: AuditLog,
  prepared: PreparedExecution,
  who: string | undefined,
): void {
  const { spec } = prepared;
  audit.record({
    event: "execute",
    execution_id: spec.id,
    command: prepared.audited,
    cwd: spec.spawn.cwd,
    session_id: spec.sessionId,
    kind: spec.kind,
    ...(who ? { who } : {}),
  });
}
