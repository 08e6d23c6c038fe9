/** What a job on the queue carries to a worker: the request as the server's pre-hooks left it. */
import type { TaskRef } from "../../protocol/hooks.js";
import type { ExecutionSpec } from "../../supervisor/execution/execution-spec.js";
import type { ExecutionRequest } from "../engine.js";

export interface ExecutionJob {
  /**
   * Its execution_id is set, its timeout is the one the server decided (seconds), its cwd the
   * absolute one the server resolved and recorded.
   */
  request: ExecutionRequest;
  task: TaskRef | null;
  /**
   * The server instance that queued it: a server that starts in its place tells the workers
   * to interrupt every job of another instance (nobody is left to hear them).
   */
  server?: string;
}

export function jobFor(
  request: ExecutionRequest,
  spec: ExecutionSpec,
  server: string,
): ExecutionJob {
  // The timeout the server decided (from its history) travels as the request's own, and so
  // does the cwd as the server resolved it (what its audit and history record): the worker
  // runs exactly there, not relative to its own working directory.
  const timeout = spec.timeoutMs === null ? undefined : spec.timeoutMs / 1000;
  const params = { ...request.params, timeout, cwd: spec.spawn.cwd };
  const sent = { kind: request.kind, params } as ExecutionRequest;
  return { request: sent, task: spec.task ?? null, server };
}
