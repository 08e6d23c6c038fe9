/**
 * A shell command as an execution (DESIGN §4 `execute`, §5): checked, its timeout decided, its
 * argv and environment built. A `claude …` command line ends on its result event like
 * `claude.execute` does (docs/claude.md): the Claude runtime is loaded for it then.
 */
import { startsWithClaude } from "../claude/claude-command-line.js";
import type { ExecuteParams } from "../protocol/methods.js";
import { childEnv } from "../supervisor/process/child-env.js";
import { shellArgv } from "../supervisor/process/shell.js";
import { checkAllowedCommand } from "./command-policy.js";
import { CommandNotAllowedError } from "./errors.js";
import { loadClaudeExecution } from "./lazy-runtimes.js";
import type { PrepareContext, PreparedExecution } from "./prepared-execution.js";
import { existingDirectory } from "./request-checks.js";

/**
 * `params` are the request after the pre-hooks; `clientEnv` is the `env` the client sent, the
 * one ALLOWED_COMMANDS judges (the server's own hooks, such as the venv one, may set PATH).
 */
export async function commandExecution(
  params: ExecuteParams,
  id: string,
  context: PrepareContext,
  clientEnv: ExecuteParams["env"],
): Promise<PreparedExecution> {
  const { settings } = context;
  const command = params.command.trim();
  if (command.length === 0) throw new CommandNotAllowedError("command is empty");
  checkAllowedCommand(command, clientEnv, settings.allowedCommands);
  const cwd = (context.resolveCwd ?? existingDirectory)(params.cwd);
  const timeout = await context.estimator.decide(params.timeout, "command", command);
  const [file, args] = shellArgv(command, {
    shell: context.shellPath,
    stdbufPath: context.stdbufPath,
  });
  const env = childEnv(params.env, id);
  const prepared: PreparedExecution = {
    spec: {
      id,
      kind: "command",
      command,
      spawn: { file, args, cwd, env },
      timeoutMs: timeout.timeoutMs,
      timeoutSource: timeout.source,
      usualMs: timeout.estimate?.estimatedMs ?? null,
      idleTimeoutMs:
        params.idle_timeout === undefined ? null : Math.round(params.idle_timeout * 1000),
      encoding: params.output_encoding,
      killOnDisconnect: params.kill_on_disconnect,
      sessionId: context.sessionId,
      task: context.task,
    },
    audited: command,
  };
  if (startsWithClaude(command, settings.claudeBin)) {
    const { attachPassiveClaude } = await loadClaudeExecution();
    prepared.attach = (execution) => attachPassiveClaude(execution, settings, env);
  }
  return prepared;
}
