/**
 * `history stats` in SQL, so 100,000 rows never cross into JavaScript: one ordered pass over a
 * covering index groups the rows by (command class, status, kind) — a few thousand groups at
 * most — and the totals and per-class figures are summed from those; the percentiles are two
 * single-row OFFSET lookups on the duration index. Same numbers as stats.ts computes in memory.
 */
import type { Database } from "better-sqlite3";
import type { ExecutionStatus } from "../../protocol/methods.js";
import { compareClasses } from "../stats.js";
import {
  type ClassStats,
  DEFAULT_TOP_CLASSES,
  type ExecutionKind,
  type HistoryStats,
  type StatsQuery,
} from "../store.js";

interface GroupRow {
  command_class: string;
  status: ExecutionStatus;
  kind: ExecutionKind;
  n: number;
  stdout: number;
  stderr: number;
  cost: number | null;
  first: number;
  last: number;
  timed: number;
  sum_ms: number | null;
  max_ms: number | null;
}

export function sqliteStats(db: Database, query: StatsQuery): HistoryStats {
  const since = query.sinceMs;
  const filter = since === undefined ? "" : "WHERE created_at_ms >= @since";
  const params = since === undefined ? {} : { since };
  const run = db.transaction((): HistoryStats => {
    const groups = db.prepare(groupsSql(filter)).all(params) as GroupRow[];
    const stats = fromGroups(groups, query.topClasses ?? DEFAULT_TOP_CLASSES);
    const count = stats.durationMs?.count ?? 0;
    if (stats.durationMs && count > 0) {
      const nth = db.prepare(nthSql(filter)).pluck();
      const at = (p: number) =>
        nth.get({ ...params, offset: Math.max(0, Math.ceil(p * count) - 1) }) as number;
      stats.durationMs.p50Ms = at(0.5);
      stats.durationMs.p90Ms = at(0.9);
    }
    return stats;
  });
  // One read transaction: every number comes from the same snapshot.
  return run.deferred();
}

function fromGroups(groups: GroupRow[], topClasses: number): HistoryStats {
  const stats: HistoryStats = {
    total: 0,
    byStatus: {},
    byKind: {},
    durationMs: null,
    stdoutBytes: 0,
    stderrBytes: 0,
    costUsd: 0,
    firstCreatedAtMs: null,
    lastCreatedAtMs: null,
    topClasses: [],
  };
  const classes = new Map<
    string,
    ClassStats & { timedCompleted: number; completedSumMs: number }
  >();
  let timed = 0;
  let sumMs = 0;
  let maxMs: number | null = null;
  for (const g of groups) {
    stats.total += g.n;
    stats.byStatus[g.status] = (stats.byStatus[g.status] ?? 0) + g.n;
    stats.byKind[g.kind] = (stats.byKind[g.kind] ?? 0) + g.n;
    stats.stdoutBytes += g.stdout;
    stats.stderrBytes += g.stderr;
    stats.costUsd += g.cost ?? 0;
    stats.firstCreatedAtMs = Math.min(stats.firstCreatedAtMs ?? g.first, g.first);
    stats.lastCreatedAtMs = Math.max(stats.lastCreatedAtMs ?? g.last, g.last);
    timed += g.timed;
    sumMs += g.sum_ms ?? 0;
    if (g.max_ms !== null) maxMs = Math.max(maxMs ?? g.max_ms, g.max_ms);
    let c = classes.get(g.command_class);
    if (!c) {
      c = {
        commandClass: g.command_class,
        runs: 0,
        completed: 0,
        meanMs: null,
        maxMs: null,
        timedCompleted: 0,
        completedSumMs: 0,
      };
      classes.set(g.command_class, c);
    }
    c.runs += g.n;
    if (g.max_ms !== null) c.maxMs = Math.max(c.maxMs ?? g.max_ms, g.max_ms);
    if (g.status === "completed") {
      c.completed += g.n;
      c.timedCompleted += g.timed;
      c.completedSumMs += g.sum_ms ?? 0;
    }
  }
  if (timed > 0) {
    stats.durationMs = {
      count: timed,
      meanMs: sumMs / timed,
      p50Ms: 0,
      p90Ms: 0,
      maxMs: maxMs ?? 0,
    };
  }
  stats.topClasses = [...classes.values()]
    .map(({ timedCompleted, completedSumMs, ...c }) => ({
      ...c,
      meanMs: timedCompleted > 0 ? completedSumMs / timedCompleted : null,
    }))
    .sort(compareClasses)
    .slice(0, topClasses);
  return stats;
}

const groupsSql = (filter: string) => `
  SELECT command_class, status, kind, COUNT(*) AS n,
         SUM(stdout_bytes) AS stdout, SUM(stderr_bytes) AS stderr, SUM(cost_usd) AS cost,
         MIN(created_at_ms) AS first, MAX(created_at_ms) AS last,
         COUNT(duration_ms) AS timed, SUM(duration_ms) AS sum_ms, MAX(duration_ms) AS max_ms
  FROM executions INDEXED BY executions_for_stats ${filter}
  GROUP BY command_class, status, kind`;

const nthSql = (filter: string) => `
  SELECT duration_ms FROM executions INDEXED BY executions_by_duration
  WHERE duration_ms IS NOT NULL ${filter.replace("WHERE", "AND")}
  ORDER BY duration_ms LIMIT 1 OFFSET @offset`;
