/** A task-run record as the protocol shows it (snake_case, ISO times, tasks counted from 1). */
import { join } from "node:path";
import type { TaskRunSummaryWire, TaskRunWire, TaskWire } from "../protocol/tasks.js";
import type { TaskRunRecord } from "../store/task-run-record.js";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function runDirOf(runsRoot: string, runId: string): string {
  return join(runsRoot, runId);
}

export function runCost(record: TaskRunRecord): number {
  return record.tasks.reduce((sum, state) => sum + (state.costUsd ?? 0), 0);
}

export function toRunSummary(record: TaskRunRecord, runsRoot: string): TaskRunSummaryWire {
  const total = record.list.tasks.length;
  return {
    run_id: record.runId,
    name: record.name,
    status: record.status,
    source: record.list.sourcePath,
    format: record.list.format,
    total,
    completed: record.tasks.filter((s) => s.status === "completed").length,
    failed: record.tasks.filter((s) => s.status === "failed").length,
    next_task: record.cursor < total ? record.cursor + 1 : null,
    cost_usd: runCost(record),
    created_at: iso(record.createdAtMs) as string,
    updated_at: iso(record.updatedAtMs) as string,
    ended_at: iso(record.endedAtMs),
    resumes: record.resumes,
    host: record.owner.host,
    error: record.error,
    run_dir: runDirOf(runsRoot, record.runId),
  };
}

export function toRunWire(record: TaskRunRecord, runsRoot: string): TaskRunWire {
  const dir = runDirOf(runsRoot, record.runId);
  const tasks = record.list.tasks.map((task, i): TaskWire => {
    const state = record.tasks[i];
    return {
      index: i + 1,
      name: task.name,
      kind: task.kind,
      status: state?.status ?? "pending",
      text: task.text,
      ran: state?.rendered ?? null,
      cwd: task.cwd,
      line: task.line,
      result: state?.result ?? null,
      result_bytes: state?.resultBytes ?? 0,
      exit_code: state?.exitCode ?? null,
      cost_usd: state?.costUsd ?? null,
      claude_session_id: state?.claudeSessionId ?? null,
      started_at: iso(state?.startedAtMs ?? null),
      ended_at: iso(state?.endedAtMs ?? null),
      error: state?.error ?? null,
      file: join(dir, `task-${i + 1}.md`),
      max_attempts: task.retries + 1,
      attempts: (state?.attempts ?? []).map((a) => ({
        attempt: a.attempt,
        execution_id: a.executionId,
        status: a.status,
        exit_code: a.exitCode,
        started_at: iso(a.startedAtMs) as string,
        ended_at: iso(a.endedAtMs),
        duration_ms: a.durationMs,
        cost_usd: a.costUsd,
        error: a.error,
        ...(a.reason ? { reason: a.reason } : {}),
      })),
    };
  });
  return {
    ...toRunSummary(record, runsRoot),
    continue_on_failure: record.list.continueOnFailure,
    tasks,
  };
}
