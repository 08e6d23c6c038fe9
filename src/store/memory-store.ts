/**
 * The in-memory store: for tests and for servers started with history off. Same behaviour as
 * the persistent stores (the conformance suite runs on it too), nothing survives the process.
 * Records are copied in and out, so callers can keep mutating the objects they wrote.
 */
import { FINAL_STATUSES } from "../protocol/methods.js";
import { StatsAccumulator } from "./stats.js";
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
} from "./store.js";
import type { TaskRunQuery, TaskRunRecord } from "./task-run-record.js";

const FINAL: ReadonlySet<string> = new Set(FINAL_STATUSES);

export class MemoryStore implements Store {
  readonly kind = "memory";
  /** Insertion order is write order, the tie-break for equal creation times. */
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly connections = new Map<string, ConnectionRecord>();
  private readonly journalEntries = new Map<string, JournalEntry>();
  private readonly taskRuns = new Map<string, TaskRunRecord>();

  async apply(ops: readonly WriteOp[]): Promise<void> {
    for (const op of ops) {
      switch (op.type) {
        case "execution":
          this.executions.set(op.record.executionId, structuredClone(op.record));
          break;
        case "connection":
          this.connections.set(op.record.sessionId, { ...op.record });
          break;
        case "journal.put":
          this.journalEntries.set(op.entry.executionId, { ...op.entry });
          break;
        case "journal.remove":
          this.journalEntries.delete(op.executionId);
          break;
        case "taskrun":
          this.taskRuns.set(op.record.runId, structuredClone(op.record));
          break;
      }
    }
  }

  async getExecution(executionId: string): Promise<ExecutionRecord | null> {
    const record = this.executions.get(executionId);
    return record ? structuredClone(record) : null;
  }

  async listExecutions(query: HistoryQuery): Promise<ExecutionRecord[]> {
    const offset = query.offset ?? 0;
    return this.newestFirst(query.sinceMs)
      .filter((r) => !query.statuses || query.statuses.includes(r.status))
      .filter((r) => !query.kind || r.kind === query.kind)
      .slice(offset, offset + query.limit)
      .map(({ output: _output, ...rest }) => structuredClone(rest));
  }

  async findExecutionIds(prefix: string, limit: number): Promise<string[]> {
    return [...this.executions.keys()]
      .filter((id) => id.startsWith(prefix))
      .sort()
      .slice(0, limit);
  }

  async countExecutions(): Promise<number> {
    return this.executions.size;
  }

  async stats(query: StatsQuery = {}): Promise<HistoryStats> {
    const stats = new StatsAccumulator();
    for (const record of this.newestFirst(query.sinceMs)) stats.add(record);
    return stats.result(query.topClasses);
  }

  async listConnections(limit: number): Promise<ConnectionRecord[]> {
    return [...this.connections.values()]
      .sort((a, b) => b.startedAtMs - a.startedAtMs)
      .slice(0, limit)
      .map((record) => ({ ...record }));
  }

  async journal(): Promise<JournalEntry[]> {
    return [...this.journalEntries.values()]
      .sort((a, b) => a.createdAtMs - b.createdAtMs)
      .map((entry) => ({ ...entry }));
  }

  async recentDurations(commandClass: string, limit: number): Promise<number[]> {
    return [...this.executions.values()]
      .filter((r) => r.commandClass === commandClass && r.status === "completed")
      .filter((r) => r.durationMs !== null)
      .sort((a, b) => (b.endedAtMs ?? 0) - (a.endedAtMs ?? 0))
      .slice(0, limit)
      .map((r) => r.durationMs as number);
  }

  async prune(options: PruneOptions): Promise<PruneResult> {
    const result: PruneResult = { executions: 0, connections: 0 };
    const cutoff = options.olderThanMs;
    if (cutoff !== undefined) {
      for (const record of [...this.executions.values()]) {
        if (FINAL.has(record.status) && record.createdAtMs < cutoff) {
          this.executions.delete(record.executionId);
          result.executions++;
        }
      }
      for (const record of [...this.connections.values()]) {
        if (record.endedAtMs !== null && record.startedAtMs < cutoff) {
          this.connections.delete(record.sessionId);
          result.connections++;
        }
      }
    }
    const keep = options.keepRows;
    if (keep !== undefined) {
      const oldestFirst = this.newestFirst(undefined).reverse();
      let excess = this.executions.size - keep;
      for (const record of oldestFirst) {
        if (excess <= 0) break;
        if (!FINAL.has(record.status)) continue;
        this.executions.delete(record.executionId);
        result.executions++;
        excess--;
      }
      const connections = [...this.connections.values()].sort(
        (a, b) => a.startedAtMs - b.startedAtMs,
      );
      let extra = this.connections.size - keep;
      for (const record of connections) {
        if (extra <= 0) break;
        if (record.endedAtMs === null) continue;
        this.connections.delete(record.sessionId);
        result.connections++;
        extra--;
      }
    }
    return result;
  }

  async getTaskRun(runId: string): Promise<TaskRunRecord | null> {
    const record = this.taskRuns.get(runId);
    return record ? structuredClone(record) : null;
  }

  async listTaskRuns(query: TaskRunQuery): Promise<TaskRunRecord[]> {
    return [...this.taskRuns.values()]
      .reverse()
      .sort((a, b) => b.createdAtMs - a.createdAtMs)
      .filter((r) => !query.statuses || query.statuses.includes(r.status))
      .slice(0, query.limit)
      .map((record) => structuredClone(record));
  }

  async findTaskRunIds(prefix: string, limit: number): Promise<string[]> {
    return [...this.taskRuns.keys()]
      .filter((id) => id.startsWith(prefix))
      .sort()
      .slice(0, limit);
  }

  async close(): Promise<void> {}

  private newestFirst(sinceMs: number | undefined): ExecutionRecord[] {
    const all = [...this.executions.values()].reverse();
    const recent = sinceMs === undefined ? all : all.filter((r) => r.createdAtMs >= sinceMs);
    // A stable sort keeps later writes first among equal times.
    return recent.sort((a, b) => b.createdAtMs - a.createdAtMs);
  }
}
