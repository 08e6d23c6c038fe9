/** `execute`: run a shell command (DESIGN §4, §5). */
import { randomUUID } from "node:crypto";
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { ErrorCode, RpcError } from "../../protocol/errors.js";
import { ExecuteParams } from "../../protocol/methods.js";
import type { ExecuteResult } from "../../protocol/results.js";
import { shellArgv } from "../../supervisor/shell.js";
import { childEnv } from "../child-env.js";
import { checkAllowedCommand } from "../command-policy.js";
import { defineMethod } from "../method-table.js";
import { startExecution } from "../start-execution.js";

export const execute = defineMethod(ExecuteParams, async (params, call): Promise<ExecuteResult> => {
  const { server } = call;
  const command = params.command.trim();
  if (command.length === 0) throw new RpcError(ErrorCode.CommandNotAllowed, "command is empty");
  checkAllowedCommand(command, params.env, server.settings.allowedCommands);
  const cwd = await existingDirectory(params.cwd);
  const id = params.execution_id ?? randomUUID();
  const timeout = await server.history.estimator.decide(params.timeout, "command", command);
  const [file, args] = shellArgv(command, {
    shell: server.shellPath,
    stdbufPath: server.stdbufPath,
  });
  return startExecution(call, {
    id,
    kind: "command",
    command,
    spawn: { file, args, cwd, env: childEnv(params.env, id) },
    timeoutMs: timeout.timeoutMs,
    timeoutSource: timeout.source,
    usualMs: timeout.estimate?.estimatedMs ?? null,
    idleTimeoutMs:
      params.idle_timeout === undefined ? null : Math.round(params.idle_timeout * 1000),
    encoding: params.output_encoding,
    killOnDisconnect: params.kill_on_disconnect,
    sessionId: call.connection.sessionId,
  });
});

export async function existingDirectory(cwd: string | undefined): Promise<string> {
  const path = resolve(cwd ?? process.cwd());
  const info = await stat(path).catch(() => null);
  if (!info) throw new RpcError(ErrorCode.InvalidParams, `cwd does not exist: ${path}`);
  if (!info.isDirectory())
    throw new RpcError(ErrorCode.InvalidParams, `cwd is not a directory: ${path}`);
  return path;
}
