/**
 * History records as clients see them (snake_case, ISO times, seconds where the protocol uses
 * seconds), shared by `history.list`/`history.get` and `cc-executor history … --json|export`.
 */
import type { WireExecution, WireOutput } from "../protocol/history.js";
import type { OutputView } from "./recorded-output.js";
import type { ConnectionRecord, ExecutionRecord, HistoryStats } from "./store.js";

// The wire shapes are the protocol's (the client reads them); the CLI imports them from here too.
export type { WireExecution, WireOutput };

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const seconds = (ms: number | null) => (ms === null ? null : ms / 1000);

export function toWireExecution(r: ExecutionRecord): WireExecution {
  return {
    execution_id: r.executionId,
    kind: r.kind,
    command: r.command,
    command_class: r.commandClass,
    cwd: r.cwd,
    session_id: r.sessionId,
    peer: r.peer,
    host: r.host,
    status: r.status,
    exit_code: r.exitCode,
    signal: r.signal,
    pid: r.pid,
    created_at: new Date(r.createdAtMs).toISOString(),
    started_at: iso(r.startedAtMs),
    ended_at: iso(r.endedAtMs),
    duration_ms: r.durationMs,
    execution_time: r.durationMs === null ? null : Math.round(r.durationMs) / 1000,
    stdout_bytes: r.stdoutBytes,
    stderr_bytes: r.stderrBytes,
    timeout_seconds: seconds(r.timeoutMs),
    timeout_source: r.timeoutSource,
    idle_timeout_seconds: seconds(r.idleTimeoutMs),
    spool_dir: r.spoolDir,
    claude: r.claude && {
      session_id: r.claude.sessionId,
      subtype: r.claude.subtype,
      is_error: r.claude.isError,
      cost_usd: r.claude.costUsd,
      num_turns: r.claude.numTurns,
      usage: r.claude.usage,
    },
    detections: r.detections.map((d) => ({
      type: d.type,
      at: new Date(d.atMs).toISOString(),
      details: d.details,
    })),
    error: r.error,
  };
}

export function toWireOutput(view: OutputView): WireOutput {
  return {
    source: view.source,
    encoding: view.encoding,
    head: view.head,
    tail: view.tail,
    omitted_bytes: view.omittedBytes,
  };
}

export function toWireConnection(c: ConnectionRecord) {
  return {
    session_id: c.sessionId,
    peer: c.peer,
    host: c.host,
    started_at: new Date(c.startedAtMs).toISOString(),
    ended_at: iso(c.endedAtMs),
    execution_count: c.executionCount,
  };
}

export function toWireStats(s: HistoryStats) {
  return {
    total: s.total,
    by_status: s.byStatus,
    by_kind: s.byKind,
    duration_ms: s.durationMs && {
      count: s.durationMs.count,
      mean: s.durationMs.meanMs,
      p50: s.durationMs.p50Ms,
      p90: s.durationMs.p90Ms,
      max: s.durationMs.maxMs,
    },
    stdout_bytes: s.stdoutBytes,
    stderr_bytes: s.stderrBytes,
    cost_usd: s.costUsd,
    first_created_at: iso(s.firstCreatedAtMs),
    last_created_at: iso(s.lastCreatedAtMs),
    top_classes: s.topClasses.map((c) => ({
      command_class: c.commandClass,
      runs: c.runs,
      completed: c.completed,
      mean_ms: c.meanMs,
      max_ms: c.maxMs,
    })),
  };
}
