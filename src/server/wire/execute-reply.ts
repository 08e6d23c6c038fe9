/** The reply of an execution-creating method (`execute`, `claude.execute`): started or queued. */
import type { StartedExecution } from "../../engine/engine.js";
import type { ExecuteResult } from "../../protocol/results.js";

export function executeReply({ handle, queuedAt }: StartedExecution): ExecuteResult {
  const { spec } = handle;
  const extras: Pick<ExecuteResult, "estimated_seconds" | "timeout_seconds"> = {};
  if (spec.usualMs) extras.estimated_seconds = Math.ceil(spec.usualMs / 100) / 10;
  if (spec.timeoutMs !== null) extras.timeout_seconds = spec.timeoutMs / 1000;
  if (queuedAt !== null) {
    return { status: "queued", execution_id: spec.id, position: queuedAt, ...extras };
  }
  // A spawn that failed at once still answers "started" (pid -1); process.error and a failed
  // process.completed follow on the subscription.
  const pid = handle.pid ?? -1;
  return { status: "started", execution_id: spec.id, pid, pgid: pid, ...extras };
}
