/**
 * Retention for the SQLite store, in one immediate transaction: ended executions (closed
 * connections) before the cutoff, then the oldest ended ones past `keepRows`, and the stored
 * output of every execution that went.
 */
import type { Database } from "better-sqlite3";
import { FINAL_STATUSES } from "../../protocol/methods.js";
import type { PruneOptions, PruneResult } from "../store.js";

const FINAL_LIST = FINAL_STATUSES.map((status) => `'${status}'`).join(", ");

export function pruneSqlite(db: Database, options: PruneOptions): PruneResult {
  const run = db.transaction((): PruneResult => {
    let executions = 0;
    let connections = 0;
    if (options.olderThanMs !== undefined) {
      executions += db
        .prepare(`DELETE FROM executions WHERE status IN (${FINAL_LIST}) AND created_at_ms < ?`)
        .run(options.olderThanMs).changes;
      connections += db
        .prepare("DELETE FROM connections WHERE ended_at_ms IS NOT NULL AND started_at_ms < ?")
        .run(options.olderThanMs).changes;
    }
    if (options.keepRows !== undefined) {
      executions += deleteOldest(
        db,
        "executions",
        `status IN (${FINAL_LIST})`,
        "created_at_ms",
        options.keepRows,
      );
      connections += deleteOldest(
        db,
        "connections",
        "ended_at_ms IS NOT NULL",
        "started_at_ms",
        options.keepRows,
      );
    }
    if (executions > 0) {
      db.exec(
        "DELETE FROM execution_outputs WHERE execution_id NOT IN (SELECT execution_id FROM executions)",
      );
    }
    return { executions, connections };
  });
  return run.immediate();
}

/** Deletes the oldest rows matching `deletable` until at most `keepRows` rows remain. */
function deleteOldest(
  db: Database,
  table: "executions" | "connections",
  deletable: string,
  timeColumn: string,
  keepRows: number,
): number {
  const excess = (db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number) - keepRows;
  if (excess <= 0) return 0;
  return db
    .prepare(
      `DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table}
        WHERE ${deletable} ORDER BY ${timeColumn}, rowid LIMIT ?)`,
    )
    .run(excess).changes;
}
