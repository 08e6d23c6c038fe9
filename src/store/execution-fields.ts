/**
 * The one table of an ExecutionRecord's fields: for each, its snake_case name, which both the
 * SQLite column (sqlite/sqlite-rows.ts) and the history wire field (record-wire.ts) are made
 * from, and how its value is kept in each. A new field is added here once; both sides follow.
 *
 * - `plain`: the same value under the same name in a row and on the wire;
 * - `time`: epoch ms in the record, `<name>_ms` in a row, ISO 8601 `<name>` on the wire;
 * - `duration`: ms in the record, `<name>_ms` in a row, `<name>_seconds` on the wire;
 * - `json`: an object, `<name>_json` text in a row, the object (snake_case) on the wire.
 */
import type { ExecutionRecord } from "./store.js";

export type FieldKind = "plain" | "time" | "duration" | "json";

export interface ExecutionField {
  record: keyof ExecutionRecord;
  name: string;
  kind: FieldKind;
}

const field = (record: keyof ExecutionRecord, name: string, kind: FieldKind = "plain") => ({
  record,
  name,
  kind,
});

export const EXECUTION_FIELDS: readonly ExecutionField[] = [
  field("executionId", "execution_id"),
  field("kind", "kind"),
  field("command", "command"),
  field("commandClass", "command_class"),
  field("cwd", "cwd"),
  field("sessionId", "session_id"),
  field("peer", "peer"),
  field("host", "host"),
  field("workerId", "worker_id"),
  field("status", "status"),
  field("exitCode", "exit_code"),
  field("signal", "signal"),
  field("pid", "pid"),
  field("createdAtMs", "created_at", "time"),
  field("startedAtMs", "started_at", "time"),
  field("endedAtMs", "ended_at", "time"),
  field("durationMs", "duration_ms"),
  field("stdoutBytes", "stdout_bytes"),
  field("stderrBytes", "stderr_bytes"),
  field("timeoutMs", "timeout", "duration"),
  field("timeoutSource", "timeout_source"),
  field("idleTimeoutMs", "idle_timeout", "duration"),
  field("spoolDir", "spool_dir"),
  field("claude", "claude", "json"),
  field("detections", "detections", "json"),
  field("error", "error"),
];

/** The SQLite column of a field. */
export function columnOf({ name, kind }: ExecutionField): string {
  if (kind === "time" || kind === "duration") return `${name}_ms`;
  if (kind === "json") return `${name}_json`;
  return name;
}
