/**
 * History statistics computed from records in memory: the in-memory and Redis stores use this;
 * the SQLite store computes the same numbers in SQL (the conformance suite holds them equal).
 */
import type { ExecutionStatus } from "../protocol/methods.js";
import {
  type ClassStats,
  DEFAULT_TOP_CLASSES,
  type ExecutionKind,
  type ExecutionRecord,
  type HistoryStats,
} from "./store.js";

/** Nearest-rank percentile of ascending values; `p` in (0, 1]. */
export function percentile(sortedAsc: readonly number[], p: number): number {
  const index = Math.min(sortedAsc.length - 1, Math.max(0, Math.ceil(p * sortedAsc.length) - 1));
  return sortedAsc[index] ?? 0;
}

/** Orders class statistics the way every store reports them: most runs, then name. */
export function compareClasses(a: ClassStats, b: ClassStats): number {
  if (a.runs !== b.runs) return b.runs - a.runs;
  return a.commandClass < b.commandClass ? -1 : a.commandClass > b.commandClass ? 1 : 0;
}

export class StatsAccumulator {
  private total = 0;
  private readonly byStatus: Partial<Record<ExecutionStatus, number>> = {};
  private readonly byKind: Partial<Record<ExecutionKind, number>> = {};
  private readonly durations: number[] = [];
  private stdoutBytes = 0;
  private stderrBytes = 0;
  private costUsd = 0;
  private first: number | null = null;
  private last: number | null = null;
  private readonly classes = new Map<string, ClassTally>();

  add(record: ExecutionRecord): void {
    this.total++;
    this.byStatus[record.status] = (this.byStatus[record.status] ?? 0) + 1;
    this.byKind[record.kind] = (this.byKind[record.kind] ?? 0) + 1;
    if (record.durationMs !== null) this.durations.push(record.durationMs);
    this.stdoutBytes += record.stdoutBytes;
    this.stderrBytes += record.stderrBytes;
    this.costUsd += record.claude?.costUsd ?? 0;
    if (this.first === null || record.createdAtMs < this.first) this.first = record.createdAtMs;
    if (this.last === null || record.createdAtMs > this.last) this.last = record.createdAtMs;
    this.addToClass(record);
  }

  result(topClasses = DEFAULT_TOP_CLASSES): HistoryStats {
    const sorted = this.durations.sort((a, b) => a - b);
    const sum = sorted.reduce((acc, value) => acc + value, 0);
    const classes = [...this.classes.values()]
      .map(
        (tally): ClassStats => ({
          commandClass: tally.commandClass,
          runs: tally.runs,
          completed: tally.completed,
          meanMs: tally.timedCompleted > 0 ? tally.completedSumMs / tally.timedCompleted : null,
          maxMs: tally.maxMs,
        }),
      )
      .sort(compareClasses)
      .slice(0, topClasses);
    return {
      total: this.total,
      byStatus: this.byStatus,
      byKind: this.byKind,
      durationMs:
        sorted.length === 0
          ? null
          : {
              count: sorted.length,
              meanMs: sum / sorted.length,
              p50Ms: percentile(sorted, 0.5),
              p90Ms: percentile(sorted, 0.9),
              maxMs: sorted[sorted.length - 1] ?? 0,
            },
      stdoutBytes: this.stdoutBytes,
      stderrBytes: this.stderrBytes,
      costUsd: this.costUsd,
      firstCreatedAtMs: this.first,
      lastCreatedAtMs: this.last,
      topClasses: classes,
    };
  }

  private addToClass(record: ExecutionRecord): void {
    let tally = this.classes.get(record.commandClass);
    if (!tally) {
      tally = {
        commandClass: record.commandClass,
        runs: 0,
        completed: 0,
        timedCompleted: 0,
        completedSumMs: 0,
        maxMs: null,
      };
      this.classes.set(record.commandClass, tally);
    }
    tally.runs++;
    const duration = record.durationMs;
    if (duration !== null) tally.maxMs = Math.max(tally.maxMs ?? duration, duration);
    if (record.status !== "completed") return;
    tally.completed++;
    if (duration === null) return;
    tally.timedCompleted++;
    tally.completedSumMs += duration;
  }
}

interface ClassTally {
  commandClass: string;
  runs: number;
  completed: number;
  /** Completed runs that have a duration, and the sum of those durations. */
  timedCompleted: number;
  completedSumMs: number;
  maxMs: number | null;
}
