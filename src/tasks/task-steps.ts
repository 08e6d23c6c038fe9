/**
 * How the runner starts one step: a shell command exactly as `execute` runs it, or a Claude
 * prompt exactly as `claude.execute` runs it — through the same hooks, checks, supervisor and
 * history. The runner only sees this small interface, so tests can give it other steps.
 */

import { loadClaudeRuntime } from "../engine/lazy-runtimes.js";
import type { HookOrigin } from "../hooks/hook-types.js";
import { ErrorCode, RpcError } from "../protocol/errors.js";
import { type ClaudeExecuteRequest, ExecuteParams } from "../protocol/methods.js";
import { commandExecution } from "../server/methods/execute.js";
import type { ServerContext } from "../server/server-context.js";
import { admitExecution } from "../server/start-execution.js";
import type { Execution } from "../supervisor/execution/execution.js";
import type { ResolvedTask } from "./task-list-schema.js";

export interface StepRequest {
  task: ResolvedTask;
  /** The prompt or command, templates filled in. */
  text: string;
  executionId: string;
  origin: HookOrigin;
  /** The task's env plus CC_EXECUTOR_TASK_* variables. */
  env: Record<string, string>;
  /** For the audit log. */
  who: string;
  /** Runs once the execution exists, before its process starts (attach listeners here). */
  prepare(execution: Execution): void;
}

export interface TaskStepExecutor {
  /** Resolves once admitted (running or queued); throws RpcError when refused. */
  runCommand(step: StepRequest): Promise<Execution>;
  runPrompt(step: StepRequest): Promise<Execution>;
}

const seconds = (ms: number | null) => (ms === null ? undefined : ms / 1000);

/** Steps of the server whose context `serverOf` gives (read at each step, not before). */
export function serverSteps(serverOf: () => ServerContext): TaskStepExecutor {
  return {
    async runCommand(step) {
      const server = serverOf();
      const { task } = step;
      const parsed = ExecuteParams.safeParse({
        command: step.text,
        cwd: task.cwd,
        env: step.env,
        timeout: seconds(task.timeoutMs),
        idle_timeout: seconds(task.idleTimeoutMs),
        execution_id: step.executionId,
      });
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new RpcError(ErrorCode.InvalidParams, `${issue?.path.join(".")}: ${issue?.message}`);
      }
      const request = await server.hooks.before(
        "command",
        parsed.data,
        step.executionId,
        step.origin,
      );
      const { spec, prepare } = await commandExecution(server, request, step.executionId, null);
      const { execution } = admitExecution(
        server,
        spec,
        (created) => {
          prepare?.(created);
          step.prepare(created);
        },
        step.who,
      );
      return execution;
    },

    async runPrompt(step) {
      const server = serverOf();
      const { task } = step;
      const request: ClaudeExecuteRequest = {
        prompt: step.text,
        cwd: task.cwd,
        env: step.env,
        execution_id: step.executionId,
        timeout: seconds(task.timeoutMs),
        idle_timeout: seconds(task.idleTimeoutMs),
        verify_uuid: task.verifyUuid,
      };
      if (task.model !== null) request.model = task.model;
      if (task.allowedTools !== null) request.allowed_tools = task.allowedTools;
      if (task.permissionMode !== null) request.permission_mode = task.permissionMode;
      if (task.maxTurns !== null) request.max_turns = task.maxTurns;
      const hooked = await server.hooks.before("claude", request, step.executionId, step.origin);
      const { startClaudeExecution } = await loadClaudeRuntime();
      const { execution } = await startClaudeExecution(server, hooked, null, {
        prepare: step.prepare,
        who: step.who,
      });
      return execution;
    },
  };
}
