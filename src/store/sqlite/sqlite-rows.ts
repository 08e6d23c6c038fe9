/** Records ⇄ rows of history.db (schema in sqlite-migrations.ts). */
import type { ExecutionStatus } from "../../protocol/methods.js";
import { columnOf, EXECUTION_FIELDS, type ExecutionField } from "../execution-fields.js";
import type {
  ConnectionRecord,
  ExecutionKind,
  ExecutionRecord,
  JournalEntry,
  StoredOutput,
  TimeoutSource,
} from "../store.js";

/** The executions columns that listings read (everything but the output table). */
export const EXECUTION_COLUMNS: readonly string[] = [
  ...EXECUTION_FIELDS.map(columnOf),
  // Kept apart from claude_json so statistics can sum it in SQL.
  "cost_usd",
];

export type ExecutionRow = {
  execution_id: string;
  kind: ExecutionKind;
  command: string;
  command_class: string;
  cwd: string;
  session_id: string | null;
  peer: string | null;
  host: string;
  worker_id: string;
  status: ExecutionStatus;
  exit_code: number | null;
  signal: string | null;
  pid: number | null;
  created_at_ms: number;
  started_at_ms: number | null;
  ended_at_ms: number | null;
  duration_ms: number | null;
  stdout_bytes: number;
  stderr_bytes: number;
  timeout_ms: number | null;
  timeout_source: TimeoutSource;
  idle_timeout_ms: number | null;
  spool_dir: string | null;
  cost_usd: number | null;
  claude_json: string | null;
  detections_json: string | null;
  error: string | null;
};

export function executionToRow(record: ExecutionRecord): ExecutionRow {
  const row: Record<string, unknown> = { cost_usd: record.claude?.costUsd ?? null };
  for (const field of EXECUTION_FIELDS) {
    const value = record[field.record];
    row[columnOf(field)] = field.kind === "json" ? jsonColumn(value) : value;
  }
  return row as ExecutionRow;
}

export function rowToExecution(row: ExecutionRow): ExecutionRecord {
  const columns = row as unknown as Record<string, unknown>;
  const record: Record<string, unknown> = {};
  for (const field of EXECUTION_FIELDS) {
    const value = columns[columnOf(field)];
    record[field.record] = field.kind === "json" ? fromJsonColumn(field, value) : value;
  }
  return record as unknown as ExecutionRecord;
}

/** An empty list is kept as NULL, as an absent object is. */
function jsonColumn(value: unknown): string | null {
  if (value === null || (Array.isArray(value) && value.length === 0)) return null;
  return JSON.stringify(value);
}

function fromJsonColumn(field: ExecutionField, text: unknown): unknown {
  if (typeof text === "string") return JSON.parse(text);
  return field.record === "detections" ? [] : null;
}

export type OutputRow = {
  encoding: StoredOutput["encoding"];
  head: string;
  tail: string;
  omitted_bytes: number;
};

export function rowToOutput(row: OutputRow): StoredOutput {
  return {
    encoding: row.encoding,
    head: row.head,
    tail: row.tail,
    omittedBytes: row.omitted_bytes,
  };
}

export type ConnectionRow = {
  session_id: string;
  peer: string;
  host: string;
  started_at_ms: number;
  ended_at_ms: number | null;
  execution_count: number;
};

export function connectionToRow(r: ConnectionRecord): ConnectionRow {
  return {
    session_id: r.sessionId,
    peer: r.peer,
    host: r.host,
    started_at_ms: r.startedAtMs,
    ended_at_ms: r.endedAtMs,
    execution_count: r.executionCount,
  };
}

export function rowToConnection(row: ConnectionRow): ConnectionRecord {
  return {
    sessionId: row.session_id,
    peer: row.peer,
    host: row.host,
    startedAtMs: row.started_at_ms,
    endedAtMs: row.ended_at_ms,
    executionCount: row.execution_count,
  };
}

export type JournalRow = {
  execution_id: string;
  host: string;
  boot_id: string;
  server_pid: number;
  server_start_ticks: string | null;
  pid: number | null;
  pgid: number | null;
  start_ticks: string | null;
  created_at_ms: number;
};

export function journalToRow(e: JournalEntry): JournalRow {
  return {
    execution_id: e.executionId,
    host: e.host,
    boot_id: e.bootId,
    server_pid: e.serverPid,
    server_start_ticks: e.serverStartTicks,
    pid: e.pid,
    pgid: e.pgid,
    start_ticks: e.startTicks,
    created_at_ms: e.createdAtMs,
  };
}

export function rowToJournal(row: JournalRow): JournalEntry {
  return {
    executionId: row.execution_id,
    host: row.host,
    bootId: row.boot_id,
    serverPid: row.server_pid,
    serverStartTicks: row.server_start_ticks,
    pid: row.pid,
    pgid: row.pgid,
    startTicks: row.start_ticks,
    createdAtMs: row.created_at_ms,
  };
}
