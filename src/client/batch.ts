/**
 * `executeBatch`: tasks strictly in order, each with its own timeout, and a summary. Each task
 * is a fresh process; nothing is restarted between tasks because nothing needs to be.
 */
import type { CcExecutorClient, ExecuteOptions } from "./client.js";
import { RemoteError } from "./errors.js";
import type { ExecutionResult } from "./events.js";

export interface BatchTask extends Omit<ExecuteOptions, "signal"> {
  name?: string;
  command: string;
}

export interface BatchOptions {
  /** Stop at the first task that does not succeed (default false: run them all). */
  stopOnFailure?: boolean;
  /** Wall-clock limit for each task that sets no `timeoutMs` of its own. */
  taskTimeoutMs?: number;
  /** Aborting cancels the running task and skips the rest. */
  signal?: AbortSignal;
  onTaskStart?(index: number, task: BatchTask): void;
  onTaskEnd?(index: number, task: BatchTask, result: BatchTaskResult): void;
}

export interface BatchTaskResult extends ExecutionResult {
  name: string;
}

export interface BatchSummary {
  results: BatchTaskResult[];
  total: number;
  succeeded: number;
  failed: number;
  /** Tasks not run because of stopOnFailure or an abort. */
  skipped: number;
  durationMs: number;
}

export async function runBatch(
  client: CcExecutorClient,
  tasks: Array<BatchTask | string>,
  options: BatchOptions,
): Promise<BatchSummary> {
  const startMs = performance.now();
  const results: BatchTaskResult[] = [];
  const normalised = tasks.map((task, index) =>
    typeof task === "string" ? { name: `task ${index + 1}`, command: task } : task,
  );
  for (const [index, task] of normalised.entries()) {
    if (options.signal?.aborted) break;
    options.onTaskStart?.(index, task);
    const { name, ...executeOptions } = task;
    // Chosen here so that even a task the server refused has an id in the summary.
    const executionId = task.executionId ?? globalThis.crypto.randomUUID();
    const result = await client
      .execute(task.command, {
        timeoutMs: options.taskTimeoutMs,
        ...executeOptions,
        executionId,
        signal: options.signal,
      })
      .catch((error: unknown) => refusedResult(executionId, error));
    const taskResult = { ...result, name: name ?? `task ${index + 1}` };
    results.push(taskResult);
    options.onTaskEnd?.(index, task, taskResult);
    if (!result.success && options.stopOnFailure) break;
  }
  const succeeded = results.filter((r) => r.success).length;
  return {
    results,
    total: normalised.length,
    succeeded,
    failed: results.length - succeeded,
    skipped: normalised.length - results.length,
    durationMs: performance.now() - startMs,
  };
}

/**
 * The server refused to start a task (bad cwd, empty or disallowed command): that task failed,
 * the batch goes on. Connection failures are not a task's result and still reject the batch.
 */
function refusedResult(executionId: string, error: unknown): ExecutionResult {
  if (!(error instanceof RemoteError)) throw error;
  return {
    executionId,
    success: false,
    status: "failed",
    exitCode: null,
    signal: null,
    durationMs: 0,
    stdout: "",
    stderr: "",
    outputs: 0,
    error: `${error.message} (JSON-RPC error ${error.code})`,
    completion: {},
  };
}
