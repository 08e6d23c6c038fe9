/**
 * The history.db schema, as numbered migrations. `PRAGMA user_version` holds the version a
 * database is at; opening it runs the missing steps in one immediate transaction, so two
 * processes opening an old database at once upgrade it exactly once. Never edit a released
 * step: add the next one.
 */
import type { Database } from "better-sqlite3";
import { commandClass } from "../command-class.js";
import type { ExecutionKind } from "../store.js";

export interface Migration {
  version: number;
  description: string;
  up(db: Database): void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "executions, their stored output, connections, running-executions journal",
    up(db) {
      db.exec(`
        CREATE TABLE executions (
          execution_id TEXT PRIMARY KEY,
          kind TEXT NOT NULL,
          command TEXT NOT NULL,
          cwd TEXT NOT NULL,
          session_id TEXT,
          peer TEXT,
          host TEXT NOT NULL,
          status TEXT NOT NULL,
          exit_code INTEGER,
          signal TEXT,
          pid INTEGER,
          created_at_ms INTEGER NOT NULL,
          started_at_ms INTEGER,
          ended_at_ms INTEGER,
          duration_ms REAL,
          stdout_bytes INTEGER NOT NULL DEFAULT 0,
          stderr_bytes INTEGER NOT NULL DEFAULT 0,
          timeout_ms INTEGER,
          idle_timeout_ms INTEGER,
          spool_dir TEXT,
          error TEXT
        );
        CREATE INDEX executions_by_time ON executions (created_at_ms);
        CREATE INDEX executions_by_status ON executions (status, created_at_ms);
        -- Output lives apart so scans of executions never read it.
        CREATE TABLE execution_outputs (
          execution_id TEXT PRIMARY KEY,
          encoding TEXT NOT NULL,
          head TEXT NOT NULL,
          tail TEXT NOT NULL,
          omitted_bytes INTEGER NOT NULL
        );
        CREATE TABLE connections (
          session_id TEXT PRIMARY KEY,
          peer TEXT NOT NULL,
          host TEXT NOT NULL,
          started_at_ms INTEGER NOT NULL,
          ended_at_ms INTEGER,
          execution_count INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX connections_by_time ON connections (started_at_ms);
        CREATE TABLE journal (
          execution_id TEXT PRIMARY KEY,
          host TEXT NOT NULL,
          boot_id TEXT NOT NULL,
          server_pid INTEGER NOT NULL,
          server_start_ticks TEXT,
          pid INTEGER,
          pgid INTEGER,
          start_ticks TEXT,
          created_at_ms INTEGER NOT NULL
        );
      `);
    },
  },
  {
    version: 2,
    description: "timeout learning (command class, timeout source), Claude results, detections",
    up(db) {
      db.exec(`
        ALTER TABLE executions ADD COLUMN command_class TEXT NOT NULL DEFAULT '';
        ALTER TABLE executions ADD COLUMN timeout_source TEXT NOT NULL DEFAULT 'none';
        ALTER TABLE executions ADD COLUMN cost_usd REAL;
        ALTER TABLE executions ADD COLUMN claude_json TEXT;
        ALTER TABLE executions ADD COLUMN detections_json TEXT;
        UPDATE executions SET timeout_source = 'request' WHERE timeout_ms IS NOT NULL;
        CREATE INDEX executions_by_kind ON executions (kind, created_at_ms);
        CREATE INDEX executions_by_status_kind ON executions (status, kind, created_at_ms);
        -- Covers the estimator's query (latest completed durations of a class) on its own.
        CREATE INDEX executions_by_class
          ON executions (command_class, status, ended_at_ms, duration_ms);
        -- Covers history stats: one ordered pass over this index, no table reads, no sorting.
        CREATE INDEX executions_for_stats ON executions (command_class, status, kind,
          created_at_ms, duration_ms, stdout_bytes, stderr_bytes, cost_usd);
        -- Percentiles by OFFSET on this index, again without table reads.
        CREATE INDEX executions_by_duration ON executions (duration_ms, created_at_ms)
          WHERE duration_ms IS NOT NULL;
      `);
      // Runs recorded before learning existed still teach it: class them now.
      const rows = db.prepare("SELECT execution_id, kind, command FROM executions").all() as Array<{
        execution_id: string;
        kind: ExecutionKind;
        command: string;
      }>;
      const update = db.prepare("UPDATE executions SET command_class = ? WHERE execution_id = ?");
      for (const row of rows) update.run(commandClass(row.kind, row.command), row.execution_id);
    },
  },
  {
    version: 3,
    description: "task-list runs (the journal of durable sequential task lists)",
    up(db) {
      db.exec(`
        -- One row per run, the whole record as JSON: a step's result and the cursor move are
        -- one write. The columns beside it serve listings.
        CREATE TABLE task_runs (
          run_id TEXT PRIMARY KEY,
          name TEXT,
          status TEXT NOT NULL,
          host TEXT NOT NULL,
          created_at_ms INTEGER NOT NULL,
          updated_at_ms INTEGER NOT NULL,
          record_json TEXT NOT NULL
        );
        CREATE INDEX task_runs_by_time ON task_runs (created_at_ms);
        CREATE INDEX task_runs_by_status ON task_runs (status, created_at_ms);
      `);
    },
  },
  {
    version: 4,
    description: "where each execution ran (worker_id, DESIGN §12)",
    up(db) {
      // Every execution recorded before workers existed ran on its server's machine.
      db.exec(`ALTER TABLE executions ADD COLUMN worker_id TEXT NOT NULL DEFAULT 'local'`);
    },
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

export class SchemaTooNewError extends Error {
  override name = "SchemaTooNewError";
}

/** Brings `db` to `target` (default: latest); returns the versions before and after. */
export function migrate(db: Database, target = LATEST_VERSION): { from: number; to: number } {
  // Up to date (the usual case): no write lock, so a reader never waits on a busy server.
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current === target) return { from: current, to: current };
  const run = db.transaction(() => {
    const from = db.pragma("user_version", { simple: true }) as number;
    if (from > LATEST_VERSION) {
      throw new SchemaTooNewError(
        `history.db is at schema v${from}, newer than this cc-executor knows (v${LATEST_VERSION}); upgrade cc-executor`,
      );
    }
    for (const migration of MIGRATIONS) {
      if (migration.version <= from || migration.version > target) continue;
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    }
    return { from, to: Math.max(from, target) };
  });
  return run.immediate();
}
