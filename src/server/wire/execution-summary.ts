/** An execution as `executions.list` shows it (docs/protocol.md). */
import type { ExecutionHandle } from "../../engine/execution-handle.js";
import type { ExecutionSummary } from "../../protocol/results.js";

export function executionSummary(execution: ExecutionHandle): ExecutionSummary {
  return {
    execution_id: execution.id,
    kind: execution.spec.kind,
    command: execution.spec.command,
    status: execution.status,
    pid: execution.pid,
    pgid: execution.pid,
    cwd: execution.spec.spawn.cwd,
    submitted_at: execution.submittedAt.toISOString(),
    started_at: execution.startedAt?.toISOString() ?? null,
    ended_at: execution.endedAt?.toISOString() ?? null,
    exit_code: execution.exitCode,
    signal: execution.signal,
    last_seq: execution.output.lastSeq,
    stdout_bytes: execution.output.bytes.stdout,
    stderr_bytes: execution.output.bytes.stderr,
    session_id: execution.spec.sessionId,
    worker_id: execution.workerId ?? "local",
  };
}
