/**
 * How the runner starts one step: a shell command exactly as `execute` runs it, or a Claude
 * prompt exactly as `claude.execute` runs it — through the engine, with the same hooks, checks,
 * caps and history. The runner only sees this small interface, so tests can give it other steps.
 */
import type { ExecutionEngine, ExecutionRequest } from "../engine/engine.js";
import type { ExecutionHandle, ExecutionListener } from "../engine/execution-handle.js";
import type { HookOrigin } from "../hooks/hook-types.js";
import type { ClaudeExecuteRequest } from "../protocol/methods.js";
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
  /** Hears the step from before its process starts (a command's output capture). */
  listener?: ExecutionListener;
  /** The run is canceled: a step still in its pre hooks never starts; a running one is canceled. */
  signal?: AbortSignal;
}

export interface TaskStepExecutor {
  /** Resolves once admitted (running or queued); rejects with a DomainError when refused. */
  start(step: StepRequest): Promise<ExecutionHandle>;
}

const seconds = (ms: number | null) => (ms === null ? undefined : ms / 1000);

/** Steps started through `engine`, for no connection (a run belongs to the server). */
export function engineSteps(engine: ExecutionEngine): TaskStepExecutor {
  return {
    async start(step) {
      const { handle } = await engine.start(stepExecution(step), {
        origin: step.origin,
        sessionId: null,
        who: step.who,
        listener: step.listener,
        signal: step.signal,
      });
      return handle;
    },
  };
}

/** The `execute` or `claude.execute` request a step is. */
export function stepExecution(step: StepRequest): ExecutionRequest {
  const { task } = step;
  const common = {
    cwd: task.cwd,
    env: step.env,
    timeout: seconds(task.timeoutMs),
    idle_timeout: seconds(task.idleTimeoutMs),
    execution_id: step.executionId,
  };
  if (task.kind === "command")
    return { kind: "command", params: { command: step.text, ...common } };
  const params: ClaudeExecuteRequest = {
    prompt: step.text,
    ...common,
    verify_uuid: task.verifyUuid,
  };
  if (task.model !== null) params.model = task.model;
  if (task.allowedTools !== null) params.allowed_tools = task.allowedTools;
  if (task.permissionMode !== null) params.permission_mode = task.permissionMode;
  if (task.maxTurns !== null) params.max_turns = task.maxTurns;
  return { kind: "claude", params };
}
