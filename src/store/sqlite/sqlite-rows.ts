/** Records ⇄ rows of history.db (schema in sqlite-migrations.ts). */
import type { ExecutionStatus } from "../../protocol/methods.js";
import type {
  ClaudeRunRecord,
  ConnectionRecord,
  Detection,
  ExecutionKind,
  ExecutionRecord,
  JournalEntry,
  StoredOutput,
  TimeoutSource,
} from "../store.js";

/** The executions columns that listings read (everything but the output table). */
export const EXECUTION_COLUMNS = [
  "execution_id",
  "kind",
  "command",
  "command_class",
  "cwd",
  "session_id",
  "peer",
  "host",
  "status",
  "exit_code",
  "signal",
  "pid",
  "created_at_ms",
  "started_at_ms",
  "ended_at_ms",
  "duration_ms",
  "stdout_bytes",
  "stderr_bytes",
  "timeout_ms",
  "timeout_source",
  "idle_timeout_ms",
  "spool_dir",
  "cost_usd",
  "claude_json",
  "detections_json",
  "error",
] as const;

export type ExecutionRow = {
  execution_id: string;
  kind: ExecutionKind;
  command: string;
  command_class: string;
  cwd: string;
  session_id: string | null;
  peer: string | null;
  host: string;
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

export function executionToRow(r: ExecutionRecord): ExecutionRow {
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
    created_at_ms: r.createdAtMs,
    started_at_ms: r.startedAtMs,
    ended_at_ms: r.endedAtMs,
    duration_ms: r.durationMs,
    stdout_bytes: r.stdoutBytes,
    stderr_bytes: r.stderrBytes,
    timeout_ms: r.timeoutMs,
    timeout_source: r.timeoutSource,
    idle_timeout_ms: r.idleTimeoutMs,
    spool_dir: r.spoolDir,
    cost_usd: r.claude?.costUsd ?? null,
    claude_json: r.claude ? JSON.stringify(r.claude) : null,
    detections_json: r.detections.length > 0 ? JSON.stringify(r.detections) : null,
    error: r.error,
  };
}

export function rowToExecution(row: ExecutionRow): ExecutionRecord {
  return {
    executionId: row.execution_id,
    kind: row.kind,
    command: row.command,
    commandClass: row.command_class,
    cwd: row.cwd,
    sessionId: row.session_id,
    peer: row.peer,
    host: row.host,
    status: row.status,
    exitCode: row.exit_code,
    signal: row.signal,
    pid: row.pid,
    createdAtMs: row.created_at_ms,
    startedAtMs: row.started_at_ms,
    endedAtMs: row.ended_at_ms,
    durationMs: row.duration_ms,
    stdoutBytes: row.stdout_bytes,
    stderrBytes: row.stderr_bytes,
    timeoutMs: row.timeout_ms,
    timeoutSource: row.timeout_source,
    idleTimeoutMs: row.idle_timeout_ms,
    spoolDir: row.spool_dir,
    claude: row.claude_json ? (JSON.parse(row.claude_json) as ClaudeRunRecord) : null,
    detections: row.detections_json ? (JSON.parse(row.detections_json) as Detection[]) : [],
    error: row.error,
  };
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
