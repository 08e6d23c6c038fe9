/** `execute`: run a shell command (DESIGN §4, §5). */
import { randomUUID } from "node:crypto";
import { type Stats, statSync } from "node:fs";
import { resolve } from "node:path";
import { startsWithClaude } from "../../claude/claude-command-line.js";
import { loadClaudeRuntime } from "../../engine/lazy-runtimes.js";
import { ErrorCode, RpcError } from "../../protocol/errors.js";
import type { ExecuteParams } from "../../protocol/methods.js";
import type { ExecuteResult } from "../../protocol/results.js";
import type { Execution } from "../../supervisor/execution/execution.js";
import type { ExecutionSpec } from "../../supervisor/execution/execution-spec.js";
import { shellArgv } from "../../supervisor/process/shell.js";
import { childEnv } from "../child-env.js";
import { checkAllowedCommand } from "../command-policy.js";
import { defineMethod } from "../method-table.js";
import type { ServerContext } from "../server-context.js";
import { startExecution } from "../start-execution.js";

export const execute = defineMethod("execute", async (params, call): Promise<ExecuteResult> => {
  const { server, connection } = call;
  const id = params.execution_id ?? randomUUID();
  const origin = { sessionId: connection.sessionId, task: null };
  const request = await server.hooks.before("command", params, id, origin);
  const { spec, prepare } = await commandExecution(server, request, id, connection.sessionId);
  return startExecution(call, spec, prepare);
});

/**
 * A shell command as an execution of this server — checked, its timeout decided, its argv and
 * environment built — ready to admit. For `execute` and task-list steps.
 */
export async function commandExecution(
  server: ServerContext,
  params: ExecuteParams,
  id: string,
  sessionId: string | null,
): Promise<{ spec: ExecutionSpec; prepare?: (execution: Execution) => void }> {
  const command = params.command.trim();
  if (command.length === 0) throw new RpcError(ErrorCode.CommandNotAllowed, "command is empty");
  checkAllowedCommand(command, params.env, server.settings.allowedCommands);
  const cwd = await existingDirectory(params.cwd);
  const timeout = await server.history.estimator.decide(params.timeout, "command", command);
  const [file, args] = shellArgv(command, {
    shell: server.shellPath,
    stdbufPath: server.stdbufPath,
  });
  const env = childEnv(params.env, id);
  // A `claude …` command line ends on its result event like claude.execute (docs/claude.md).
  let prepare: ((execution: Execution) => void) | undefined;
  if (startsWithClaude(command, server.settings.claudeBin)) {
    const { attachPassiveClaude } = await loadClaudeRuntime();
    prepare = (execution) => attachPassiveClaude(execution, server.settings, env);
  }
  const spec: ExecutionSpec = {
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
    sessionId,
  };
  return { spec, prepare };
}

export async function existingDirectory(cwd: string | undefined): Promise<string> {
  const path = resolve(cwd ?? process.cwd());
  // One stat syscall (microseconds) is cheaper than a thread-pool round trip (~0.1 ms), and
  // this sits on every execution's start.
  const info = statOrNull(path);
  if (!info) throw new RpcError(ErrorCode.InvalidParams, `cwd does not exist: ${path}`);
  if (!info.isDirectory())
    throw new RpcError(ErrorCode.InvalidParams, `cwd is not a directory: ${path}`);
  return path;
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null; // e.g. a path component that is a file, or no permission
  }
}
