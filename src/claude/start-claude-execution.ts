/**
 * Starts a Claude run as an execution of the server — the one entry point for every feature that
 * runs Claude (`claude.execute`, task lists, stress). Stable API:
 *
 *   const { execution, queuedAt, run } =
 *     await startClaudeExecution(context, { prompt: "…", cwd, retries: 2 }, sessionId);
 *   const completion = await execution.done;   // the one process.completed, with `.claude`
 *
 * - `request` is the `claude.execute` params (ClaudeExecuteRequest: defaults need not be set;
 *   they are validated here, a bad value throws RpcError -32602). `cwd` must exist (-32602).
 * - `sessionId` is the starting connection's session (counts against its limit), or null.
 * - `options.prepare` runs once the Execution exists and before its process starts (attach
 *   listeners there); `options.who` goes to the audit log.
 * - Resolves when the execution is admitted: running (`queuedAt` null) or queued (its position).
 *   Throws RpcError -32001 when ALLOWED_COMMANDS excludes `claude`, -32003 past the limits.
 * - Retries are further processes of the same execution; `execution.done` settles once, after
 *   the last attempt. Cancel with `execution.cancel()`.
 */
import { randomUUID } from "node:crypto";
import { ErrorCode, RpcError } from "../protocol/errors.js";
import { ClaudeExecuteParams, type ClaudeExecuteRequest } from "../protocol/methods.js";
import { checkAllowedCommand } from "../server/command-policy.js";
import { existingDirectory } from "../server/methods/execute.js";
import type { ServerContext } from "../server/server-context.js";
import type { Execution } from "../supervisor/execution/execution.js";
import type { ExecutionSpec } from "../supervisor/execution/execution-spec.js";
import { claudeArgs, claudeBinary } from "./claude-argv.js";
import { claudeEnv } from "./claude-env.js";
import { ClaudeRun } from "./claude-run.js";

export interface ClaudeStart {
  execution: Execution;
  /** Position in the queue when the global limit made it wait, else null. */
  queuedAt: number | null;
  /** The run's parser and decisions (its `uuid` is the verification UUID when asked). */
  run: ClaudeRun;
}

export interface ClaudeStartOptions {
  prepare?: (execution: Execution) => void;
  /** Who asked, for the audit log (e.g. "task-list <id>"). */
  who?: string;
}

export async function startClaudeExecution(
  context: ServerContext,
  request: ClaudeExecuteRequest,
  sessionId: string | null,
  options: ClaudeStartOptions = {},
): Promise<ClaudeStart> {
  const parsed = ClaudeExecuteParams.safeParse(request);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
    throw new RpcError(ErrorCode.InvalidParams, `Invalid params: ${where}${issue?.message}`);
  }
  const params = parsed.data;
  const { settings } = context;
  checkAllowedCommand("claude", params.env, settings.allowedCommands);
  const cwd = await existingDirectory(params.cwd);
  const id = params.execution_id ?? randomUUID();
  const authMode = params.auth_mode ?? settings.claudeAuth;
  const timeout = await context.history.estimator.decide(params.timeout, "claude", params.prompt);
  const file = claudeBinary(settings.claudeBin);
  const env = claudeEnv(params.env, id, authMode);
  const spawnFor = (prompt: string) => ({
    file,
    args: claudeArgs({
      prompt,
      model: params.model,
      allowedTools: params.allowed_tools,
      permissionMode: params.permission_mode,
      maxTurns: params.max_turns,
      appendSystemPrompt: params.append_system_prompt,
      resumeSession: params.resume_session,
      mcpConfig: params.mcp_config,
    }),
    cwd,
    env,
  });
  const run = new ClaudeRun({
    mode: "managed",
    authMode,
    resultGraceMs: settings.claudeResultGraceMs,
    backgroundWaitMs: settings.claudeBackgroundWaitMs,
    prompt: params.prompt,
    verifyUuid: params.verify_uuid,
    retry: {
      maxAttempts: 1 + (params.retries ?? settings.claudeRetries),
      baseMs: settings.claudeRetryBaseMs,
      maxMs: settings.claudeRetryMaxMs,
      waitForUsageReset: params.wait_for_usage_reset,
      maxUsageWaitMs: settings.claudeMaxUsageWaitMs,
    },
    spawnFor,
  });
  const spec: ExecutionSpec = {
    id,
    kind: "claude",
    command: params.prompt,
    spawn: spawnFor(run.firstPrompt),
    timeoutMs: timeout.timeoutMs,
    timeoutSource: timeout.source,
    usualMs: timeout.estimate?.estimatedMs ?? null,
    idleTimeoutMs:
      params.idle_timeout === undefined ? null : Math.round(params.idle_timeout * 1000),
    encoding: "utf8",
    killOnDisconnect: params.kill_on_disconnect,
    sessionId,
  };
  const { execution, queuedAt } = context.supervisor.submit(spec, (created) => {
    run.attach(created);
    options.prepare?.(created);
  });
  context.audit.record({
    event: "execute",
    execution_id: id,
    command: `claude -p ${JSON.stringify(abbreviate(params.prompt))}`,
    cwd,
    session_id: sessionId,
    kind: "claude",
    ...(options.who ? { who: options.who } : {}),
  });
  return { execution, queuedAt, run };
}

function abbreviate(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
