/**
 * History records as clients see them (snake_case, ISO times, seconds where the protocol uses
 * seconds), shared by `history.list`/`history.get` and `cc-executor history … --json|export`.
 */
import type { WireExecution, WireOutput } from "../protocol/history.js";
import { EXECUTION_FIELDS, type ExecutionField } from "./execution-fields.js";
import type { OutputView } from "./recorded-output.js";
import type {
  ClaudeRunRecord,
  ConnectionRecord,
  Detection,
  ExecutionRecord,
  HistoryStats,
} from "./store.js";

// The wire shapes are the protocol's (the client reads them); the CLI imports them from here too.
export type { WireExecution, WireOutput };

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const seconds = (ms: number | null) => (ms === null ? null : ms / 1000);

export function toWireExecution(record: ExecutionRecord): WireExecution {
  const wire: Record<string, unknown> = {};
  for (const field of EXECUTION_FIELDS) {
    wire[wireName(field)] = wireValue(field, record);
    // Right after duration_ms (where clients have always found it): the same in seconds, like
    // `process.completed.execution_time`.
    if (field.record === "durationMs") {
      wire.execution_time =
        record.durationMs === null ? null : Math.round(record.durationMs) / 1000;
    }
  }
  return wire as unknown as WireExecution;
}

function wireName({ name, kind }: ExecutionField): string {
  return kind === "duration" ? `${name}_seconds` : name;
}

function wireValue(field: ExecutionField, record: ExecutionRecord): unknown {
  const value = record[field.record];
  switch (field.kind) {
    case "plain":
      // Records a Redis store kept from before workers existed ran on their server's machine.
      if (value === undefined && field.record === "workerId") return "local";
      return value;
    case "time":
      return iso(value as number | null);
    case "duration":
      return seconds(value as number | null);
    case "json":
      return field.record === "claude"
        ? wireClaude(record.claude)
        : wireDetections(record.detections);
  }
}

function wireClaude(claude: ClaudeRunRecord | null): WireExecution["claude"] {
  return (
    claude && {
      session_id: claude.sessionId,
      subtype: claude.subtype,
      is_error: claude.isError,
      cost_usd: claude.costUsd,
      num_turns: claude.numTurns,
      usage: claude.usage,
    }
  );
}

function wireDetections(detections: Detection[]): WireExecution["detections"] {
  return detections.map((d) => ({
    type: d.type,
    at: new Date(d.atMs).toISOString(),
    details: d.details,
  }));
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
