/**
 * The embedded store: one SQLite file, `$CC_EXECUTOR_HOME/history.db` (0600), in WAL mode so
 * the CLI can read while the server writes, with a busy timeout for the moments they collide.
 * better-sqlite3 is synchronous; the WriteBatcher keeps its writes off the output path by
 * grouping them into one transaction every few milliseconds.
 */
import { chmodSync, closeSync, openSync } from "node:fs";
import type { Database, Statement } from "better-sqlite3";
import { requireCjs } from "../../runtime/require-cjs.js";
import { migrate } from "./sqlite-migrations.js";
import { pruneSqlite } from "./sqlite-prune.js";
import {
  type ConnectionRow,
  connectionToRow,
  EXECUTION_COLUMNS,
  type ExecutionRow,
  executionToRow,
  type JournalRow,
  journalToRow,
  type OutputRow,
  rowToConnection,
  rowToExecution,
  rowToJournal,
  rowToOutput,
} from "./sqlite-rows.js";
import { sqliteStats } from "./sqlite-stats.js";

const BetterSqlite3 = requireCjs("better-sqlite3") as typeof import("better-sqlite3");

import type {
  ConnectionRecord,
  ExecutionRecord,
  HistoryQuery,
  HistoryStats,
  JournalEntry,
  PruneOptions,
  PruneResult,
  StatsQuery,
  Store,
  WriteOp,
} from "../store.js";
import type { TaskRunQuery, TaskRunRecord } from "../task-run-record.js";

export interface SqliteOptions {
  busyTimeoutMs?: number;
}

const COLUMNS = EXECUTION_COLUMNS.join(", ");

export class SqliteStore implements Store {
  readonly kind = "sqlite";
  readonly db: Database;
  private readonly statements: ReturnType<typeof prepareStatements>;
  private readonly listStatements = new Map<string, Statement>();
  private readonly applyAll: (ops: readonly WriteOp[]) => void;

  constructor(path: string, options: SqliteOptions = {}) {
    if (path !== ":memory:") createPrivateFile(path);
    this.db = new BetterSqlite3(path);
    try {
      this.setUp(options);
    } catch (error) {
      this.db.close(); // a file that is no database: leave no handle open
      throw error;
    }
    this.statements = prepareStatements(this.db);
    this.applyAll = this.db.transaction((ops: readonly WriteOp[]) => {
      for (const op of ops) this.applyOne(op);
    });
  }

  private setUp(options: SqliteOptions): void {
    this.db.pragma("journal_mode = WAL");
    // WAL + NORMAL survives a killed process (only power loss can cost the last commits).
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    // better-sqlite3 builds SQLite with a 16 MiB page cache, which a long-running server fills as
    // its history grows and keeps for good. History is written once and read now and then; the
    // OS page cache serves those reads. 2 MiB is SQLite's own default (docs/benchmarks.md).
    this.db.pragma("cache_size = -2000");
    migrate(this.db);
  }

  async apply(ops: readonly WriteOp[]): Promise<void> {
    if (ops.length > 0) this.applyAll(ops);
  }

  async getExecution(executionId: string): Promise<ExecutionRecord | null> {
    const row = this.statements.getExecution.get(executionId) as ExecutionRow | undefined;
    if (!row) return null;
    const record = rowToExecution(row);
    const output = this.statements.getOutput.get(executionId) as OutputRow | undefined;
    if (output) record.output = rowToOutput(output);
    return record;
  }

  async listExecutions(query: HistoryQuery): Promise<ExecutionRecord[]> {
    const statuses = query.statuses ?? [];
    const where: string[] = [];
    if (statuses.length > 0) where.push(`status IN (${statuses.map(() => "?").join(", ")})`);
    if (query.kind) where.push("kind = ?");
    if (query.sinceMs !== undefined) where.push("created_at_ms >= ?");
    const sql = `SELECT ${COLUMNS} FROM executions ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
      ORDER BY created_at_ms DESC, rowid DESC LIMIT ? OFFSET ?`;
    let statement = this.listStatements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.listStatements.set(sql, statement);
    }
    const params: unknown[] = [...statuses];
    if (query.kind) params.push(query.kind);
    if (query.sinceMs !== undefined) params.push(query.sinceMs);
    params.push(query.limit, query.offset ?? 0);
    return (statement.all(...params) as ExecutionRow[]).map(rowToExecution);
  }

  async findExecutionIds(prefix: string, limit: number): Promise<string[]> {
    // A range on the primary key: LIKE would scan, and treat _ and % in ids as wildcards.
    return this.statements.findIds.pluck().all(prefix, `${prefix}\u{10ffff}`, limit) as string[];
  }

  async countExecutions(): Promise<number> {
    return this.statements.count.pluck().get() as number;
  }

  async stats(query: StatsQuery = {}): Promise<HistoryStats> {
    return sqliteStats(this.db, query);
  }

  async listConnections(limit: number): Promise<ConnectionRecord[]> {
    return (this.statements.listConnections.all(limit) as ConnectionRow[]).map(rowToConnection);
  }

  async journal(): Promise<JournalEntry[]> {
    return (this.statements.journal.all() as JournalRow[]).map(rowToJournal);
  }

  async recentDurations(commandClass: string, limit: number): Promise<number[]> {
    return this.statements.recentDurations.pluck().all(commandClass, limit) as number[];
  }

  async prune(options: PruneOptions): Promise<PruneResult> {
    return pruneSqlite(this.db, options);
  }

  async getTaskRun(runId: string): Promise<TaskRunRecord | null> {
    const json = this.statements.getTaskRun.pluck().get(runId) as string | undefined;
    return json === undefined ? null : (JSON.parse(json) as TaskRunRecord);
  }

  async listTaskRuns(query: TaskRunQuery): Promise<TaskRunRecord[]> {
    const statuses = query.statuses ?? [];
    const where = statuses.length ? `WHERE status IN (${statuses.map(() => "?").join(", ")})` : "";
    const rows = this.db
      .prepare(
        `SELECT record_json FROM task_runs ${where} ORDER BY created_at_ms DESC, rowid DESC LIMIT ?`,
      )
      .pluck()
      .all(...statuses, query.limit) as string[];
    return rows.map((json) => JSON.parse(json) as TaskRunRecord);
  }

  async findTaskRunIds(prefix: string, limit: number): Promise<string[]> {
    return this.statements.findTaskRunIds
      .pluck()
      .all(prefix, `${prefix}\u{10ffff}`, limit) as string[];
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    // Lets SQLite refresh its statistics for the query planner where they went stale.
    this.db.pragma("optimize");
    this.db.close();
  }

  private applyOne(op: WriteOp): void {
    const s = this.statements;
    switch (op.type) {
      case "execution": {
        s.upsertExecution.run(executionToRow(op.record));
        const output = op.record.output;
        if (output) {
          s.putOutput.run(
            op.record.executionId,
            output.encoding,
            output.head,
            output.tail,
            output.omittedBytes,
          );
        } else {
          s.deleteOutput.run(op.record.executionId);
        }
        break;
      }
      case "connection":
        s.upsertConnection.run(connectionToRow(op.record));
        break;
      case "journal.put":
        s.putJournal.run(journalToRow(op.entry));
        break;
      case "journal.remove":
        s.removeJournal.run(op.executionId);
        break;
      case "taskrun": {
        const r = op.record;
        s.putTaskRun.run(
          r.runId,
          r.name,
          r.status,
          r.owner.host,
          r.createdAtMs,
          r.updatedAtMs,
          JSON.stringify(r),
        );
        break;
      }
    }
  }
}

function prepareStatements(db: Database) {
  const upsertColumns = EXECUTION_COLUMNS.filter((c) => c !== "execution_id");
  return {
    upsertExecution: db.prepare(
      `INSERT INTO executions (${COLUMNS}) VALUES (${EXECUTION_COLUMNS.map((c) => `@${c}`).join(", ")})
       ON CONFLICT (execution_id) DO UPDATE SET ${upsertColumns.map((c) => `${c} = excluded.${c}`).join(", ")}`,
    ),
    putOutput: db.prepare(
      "INSERT OR REPLACE INTO execution_outputs (execution_id, encoding, head, tail, omitted_bytes) VALUES (?, ?, ?, ?, ?)",
    ),
    deleteOutput: db.prepare("DELETE FROM execution_outputs WHERE execution_id = ?"),
    getExecution: db.prepare(`SELECT ${COLUMNS} FROM executions WHERE execution_id = ?`),
    getOutput: db.prepare(
      "SELECT encoding, head, tail, omitted_bytes FROM execution_outputs WHERE execution_id = ?",
    ),
    count: db.prepare("SELECT COUNT(*) FROM executions"),
    findIds: db.prepare(
      "SELECT execution_id FROM executions WHERE execution_id >= ? AND execution_id < ? ORDER BY execution_id LIMIT ?",
    ),
    upsertConnection: db.prepare(
      `INSERT OR REPLACE INTO connections (session_id, peer, host, started_at_ms, ended_at_ms, execution_count)
       VALUES (@session_id, @peer, @host, @started_at_ms, @ended_at_ms, @execution_count)`,
    ),
    listConnections: db.prepare(
      "SELECT * FROM connections ORDER BY started_at_ms DESC, rowid DESC LIMIT ?",
    ),
    putJournal: db.prepare(
      `INSERT OR REPLACE INTO journal (execution_id, host, boot_id, server_pid, server_start_ticks, pid, pgid, start_ticks, created_at_ms)
       VALUES (@execution_id, @host, @boot_id, @server_pid, @server_start_ticks, @pid, @pgid, @start_ticks, @created_at_ms)`,
    ),
    removeJournal: db.prepare("DELETE FROM journal WHERE execution_id = ?"),
    journal: db.prepare("SELECT * FROM journal ORDER BY created_at_ms"),
    putTaskRun: db.prepare(
      `INSERT INTO task_runs (run_id, name, status, host, created_at_ms, updated_at_ms, record_json)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id) DO UPDATE SET name = excluded.name, status = excluded.status,
         host = excluded.host, created_at_ms = excluded.created_at_ms,
         updated_at_ms = excluded.updated_at_ms, record_json = excluded.record_json`,
    ),
    getTaskRun: db.prepare("SELECT record_json FROM task_runs WHERE run_id = ?"),
    findTaskRunIds: db.prepare(
      "SELECT run_id FROM task_runs WHERE run_id >= ? AND run_id < ? ORDER BY run_id LIMIT ?",
    ),
    recentDurations: db.prepare(
      `SELECT duration_ms FROM executions
       WHERE command_class = ? AND status = 'completed' AND duration_ms IS NOT NULL
       ORDER BY ended_at_ms DESC LIMIT ?`,
    ),
  };
}

/** Creates the database file owner-only before SQLite opens it (its -wal/-shm files follow). */
function createPrivateFile(path: string): void {
  closeSync(openSync(path, "a", 0o600));
  chmodSync(path, 0o600);
}
