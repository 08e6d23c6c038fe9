/**
 * The shared store: when `REDIS_URL` is set, several servers keep one history (key layout in
 * redis-keys.ts). Records are JSON strings; sorted sets by creation time index them by status
 * and kind; each write batch is one MULTI, so a reader never sees half of it.
 */
import { Redis } from "ioredis";
import { ExecutionStatus } from "../../protocol/methods.js";
import { StatsAccumulator } from "../stats.js";
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
  StoredOutput,
  WriteOp,
} from "../store.js";
import { StoreUnavailableError } from "../store-errors.js";
import { TASK_RUN_STATUSES, type TaskRunQuery, type TaskRunRecord } from "../task-run-record.js";
import { DEFAULT_KEY_PREFIX, RedisKeys, SCHEMA_VERSION } from "./redis-keys.js";
import { pruneRedis } from "./redis-prune.js";

export interface RedisStoreOptions {
  keyPrefix?: string;
  connectTimeoutMs?: number;
}

/** Completed runs kept per command class for timeout learning. */
const DURATIONS_KEPT = 200;
const PAGE = 1000;

export { StoreUnavailableError };

export class RedisStore implements Store {
  readonly kind = "redis";
  readonly keys: RedisKeys;

  private constructor(
    readonly redis: Redis,
    keyPrefix: string,
  ) {
    this.keys = new RedisKeys(keyPrefix);
  }

  /** Connects and checks the server answers; throws StoreUnavailableError when it does not. */
  static async connect(url: string, options: RedisStoreOptions = {}): Promise<RedisStore> {
    const redis = new Redis(url, {
      lazyConnect: true,
      connectTimeout: options.connectTimeoutMs ?? 5000,
      maxRetriesPerRequest: 3,
    });
    redis.on("error", () => {}); // reported through the commands that fail
    try {
      await redis.connect();
      const schemaKey = new RedisKeys(options.keyPrefix).schema;
      await redis.set(schemaKey, SCHEMA_VERSION, "NX");
      const layout = await redis.get(schemaKey);
      if (layout !== SCHEMA_VERSION) {
        throw new Error(
          `history key layout v${layout} is not the one this cc-executor knows (v${SCHEMA_VERSION})`,
        );
      }
    } catch (error) {
      redis.disconnect();
      throw new StoreUnavailableError(`Redis at ${redactUrl(url)}: ${(error as Error).message}`);
    }
    return new RedisStore(redis, options.keyPrefix ?? DEFAULT_KEY_PREFIX);
  }

  async apply(ops: readonly WriteOp[]): Promise<void> {
    if (ops.length === 0) return;
    const multi = this.redis.multi();
    const k = this.keys;
    for (const op of ops) {
      if (op.type === "execution") {
        const { output, ...record } = op.record;
        const id = record.executionId;
        multi.set(k.execution(id), JSON.stringify(record));
        if (output) multi.set(k.output(id), JSON.stringify(output));
        else multi.del(k.output(id));
        multi.zadd(k.executions, record.createdAtMs, id);
        for (const status of ExecutionStatus.options) multi.zrem(k.byStatus(status), id);
        multi.zadd(k.byStatus(record.status), record.createdAtMs, id);
        multi.zadd(k.byKind(record.kind), record.createdAtMs, id);
        const durations = k.durations(record.commandClass);
        if (record.status === "completed" && record.durationMs !== null) {
          multi.zadd(durations, record.endedAtMs ?? record.createdAtMs, id);
          multi.zremrangebyrank(durations, 0, -(DURATIONS_KEPT + 1));
        } else {
          multi.zrem(durations, id);
        }
      } else if (op.type === "connection") {
        multi.set(k.connection(op.record.sessionId), JSON.stringify(op.record));
        multi.zadd(k.connections, op.record.startedAtMs, op.record.sessionId);
      } else if (op.type === "journal.put") {
        multi.hset(k.journal, op.entry.executionId, JSON.stringify(op.entry));
      } else if (op.type === "journal.remove") {
        multi.hdel(k.journal, op.executionId);
      } else {
        const { runId, createdAtMs, status } = op.record;
        multi.set(k.taskRun(runId), JSON.stringify(op.record));
        multi.zadd(k.taskRuns, createdAtMs, runId);
        for (const other of TASK_RUN_STATUSES) multi.zrem(k.taskRunsByStatus(other), runId);
        multi.zadd(k.taskRunsByStatus(status), createdAtMs, runId);
      }
    }
    const results = await multi.exec();
    const failed = results?.find(([error]) => error);
    if (failed?.[0]) throw failed[0];
  }

  async getExecution(executionId: string): Promise<ExecutionRecord | null> {
    const [record, output] = await this.redis.mget(
      this.keys.execution(executionId),
      this.keys.output(executionId),
    );
    if (!record) return null;
    const parsed = JSON.parse(record) as ExecutionRecord;
    if (output) parsed.output = JSON.parse(output) as StoredOutput;
    return parsed;
  }

  async listExecutions(query: HistoryQuery): Promise<ExecutionRecord[]> {
    const offset = query.offset ?? 0;
    const wanted = offset + query.limit;
    const statuses = query.statuses ?? [];
    const indexes = statuses.length
      ? statuses.map((s) => this.keys.byStatus(s))
      : [query.kind ? this.keys.byKind(query.kind) : this.keys.executions];
    const filterKind = statuses.length > 0 && query.kind !== undefined;
    const min = query.sinceMs ?? "-inf";
    // Take the newest `fetch` ids of each index, merge them; past a kind filter, widen until
    // enough match or the indexes run out.
    for (let fetch = Math.max(wanted, 16); ; fetch *= 4) {
      const lists = await Promise.all(
        indexes.map((key) =>
          this.redis.zrevrangebyscore(key, "+inf", min, "WITHSCORES", "LIMIT", 0, fetch),
        ),
      );
      const merged = mergeNewestFirst(lists);
      const records = await this.fetchRecords(merged);
      const matching = filterKind ? records.filter((r) => r.kind === query.kind) : records;
      const exhausted = lists.every((list) => list.length < fetch * 2);
      if (matching.length >= wanted || exhausted) return matching.slice(offset, wanted);
    }
  }

  async findExecutionIds(prefix: string, limit: number): Promise<string[]> {
    // Ids are [A-Za-z0-9._:-]; escape glob characters anyway. SCAN walks the keyspace: fine for a
    // person typing a short id, not for hot paths.
    const pattern = `${this.keys.execution(prefix).replace(/[*?[\]\\]/g, "\\$&")}*`;
    const found = new Set<string>();
    let cursor = "0";
    do {
      const [next, keys] = await this.redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
      for (const key of keys) found.add(key.slice(this.keys.execution("").length));
      cursor = next;
    } while (cursor !== "0");
    return [...found].sort().slice(0, limit);
  }

  async countExecutions(): Promise<number> {
    return this.redis.zcard(this.keys.executions);
  }

  async stats(query: StatsQuery = {}): Promise<HistoryStats> {
    const stats = new StatsAccumulator();
    const min = query.sinceMs ?? "-inf";
    for (let offset = 0; ; offset += PAGE) {
      const ids = await this.redis.zrevrangebyscore(
        this.keys.executions,
        "+inf",
        min,
        "LIMIT",
        offset,
        PAGE,
      );
      for (const record of await this.fetchRecords(ids)) stats.add(record);
      if (ids.length < PAGE) break;
    }
    return stats.result(query.topClasses);
  }

  async listConnections(limit: number): Promise<ConnectionRecord[]> {
    const ids = await this.redis.zrevrange(this.keys.connections, 0, limit - 1);
    if (ids.length === 0) return [];
    const values = await this.redis.mget(ids.map((id) => this.keys.connection(id)));
    return values.filter((v): v is string => v !== null).map((v) => JSON.parse(v));
  }

  async journal(): Promise<JournalEntry[]> {
    const all = await this.redis.hvals(this.keys.journal);
    return all
      .map((v) => JSON.parse(v) as JournalEntry)
      .sort((a, b) => a.createdAtMs - b.createdAtMs);
  }

  async recentDurations(commandClass: string, limit: number): Promise<number[]> {
    const ids = await this.redis.zrevrange(this.keys.durations(commandClass), 0, limit - 1);
    const records = await this.fetchRecords(ids);
    return records.flatMap((r) =>
      r.status === "completed" && r.durationMs !== null ? [r.durationMs] : [],
    );
  }

  async prune(options: PruneOptions): Promise<PruneResult> {
    return pruneRedis(this.redis, this.keys, options, (ids) => this.fetchRecords(ids));
  }

  async getTaskRun(runId: string): Promise<TaskRunRecord | null> {
    const value = await this.redis.get(this.keys.taskRun(runId));
    return value === null ? null : (JSON.parse(value) as TaskRunRecord);
  }

  async listTaskRuns(query: TaskRunQuery): Promise<TaskRunRecord[]> {
    const indexes = query.statuses?.length
      ? query.statuses.map((s) => this.keys.taskRunsByStatus(s))
      : [this.keys.taskRuns];
    const lists = await Promise.all(
      indexes.map((key) => this.redis.zrevrange(key, 0, query.limit - 1, "WITHSCORES")),
    );
    const ids = mergeNewestFirst(lists).slice(0, query.limit);
    if (ids.length === 0) return [];
    const values = await this.redis.mget(ids.map((id) => this.keys.taskRun(id)));
    return values.filter((v): v is string => v !== null).map((v) => JSON.parse(v));
  }

  async findTaskRunIds(prefix: string, limit: number): Promise<string[]> {
    // Runs are few (one per task list started), so reading the index and filtering is enough.
    const ids = await this.redis.zrange(this.keys.taskRuns, 0, -1);
    return ids
      .filter((id) => id.startsWith(prefix))
      .sort()
      .slice(0, limit);
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private async fetchRecords(ids: string[]): Promise<ExecutionRecord[]> {
    if (ids.length === 0) return [];
    const values = await this.redis.mget(ids.map((id) => this.keys.execution(id)));
    return values.filter((v): v is string => v !== null).map((v) => JSON.parse(v));
  }
}

/** Merges WITHSCORES replies (id, score, id, score…) into ids, newest first. */
function mergeNewestFirst(lists: string[][]): string[] {
  const entries: Array<{ id: string; score: number }> = [];
  for (const list of lists) {
    for (let i = 0; i + 1 < list.length; i += 2) {
      entries.push({ id: list[i] as string, score: Number(list[i + 1]) });
    }
  }
  if (lists.length > 1) entries.sort((a, b) => b.score - a.score || (a.id < b.id ? 1 : -1));
  return entries.map((e) => e.id);
}

/** The URL without its password, for messages. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable REDIS_URL)";
  }
}
