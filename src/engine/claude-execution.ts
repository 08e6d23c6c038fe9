/**
 * A Claude prompt as an execution (DESIGN §6, docs/claude.md): the argv built without a shell,
 * the environment of its auth mode, and the ClaudeRun that owns it — completion on the `result`
 * event, detections, retries as further processes of the same execution. Loaded on first use
 * (lazy-runtimes.ts) with the Claude runtime it brings.
 */
import { claudeArgs, claudeBinary } from "../claude/claude-argv.js";
import { claudeEnv } from "../claude/claude-env.js";
import { ClaudeRun } from "../claude/claude-run.js";
import type { ClaudeExecuteParams } from "../protocol/methods.js";
import { checkAllowedCommand } from "./command-policy.js";
import type { PrepareContext, PreparedExecution } from "./prepared-execution.js";
import { existingDirectory } from "./request-checks.js";

export { attachPassiveClaude } from "../claude/passive-claude.js";

export async function claudeExecution(
  params: ClaudeExecuteParams,
  id: string,
  context: PrepareContext,
  /** The `env` the client sent (before the pre-hooks): what ALLOWED_COMMANDS judges. */
  clientEnv: ClaudeExecuteParams["env"],
): Promise<PreparedExecution> {
  const { settings } = context;
  checkAllowedCommand("claude", clientEnv, settings.allowedCommands);
  const cwd = (context.resolveCwd ?? existingDirectory)(params.cwd);
  const authMode = params.auth_mode ?? settings.claudeAuth;
  const timeout = await context.estimator.decide(params.timeout, "claude", params.prompt);
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
  return {
    spec: {
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
      sessionId: context.sessionId,
      task: context.task,
    },
    attach: (execution) => run.attach(execution),
    audited: `claude -p ${JSON.stringify(abbreviate(params.prompt))}`,
  };
}

function abbreviate(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
