/**
 * Retention for the Redis store: walk the time indexes oldest first and delete what has ended
 * (executions) or closed (connections) — everything before the cutoff, then the oldest until
 * `keepRows` remain — with each record's index entries, in pages of MULTI commands.
 */
import type { Redis } from "ioredis";
import { FINAL_STATUSES } from "../../protocol/methods.js";
import type { ConnectionRecord, ExecutionRecord, PruneOptions, PruneResult } from "../store.js";
import type { RedisKeys } from "./redis-keys.js";

const FINAL: ReadonlySet<string> = new Set(FINAL_STATUSES);
const PAGE = 1000;

interface Walk<T> {
  index: string;
  /** Loads a page of ids: the deletable records among them, and ids whose record is gone. */
  select(ids: string[]): Promise<{ ended: T[]; missing: string[] }>;
  remove(records: T[], missing: string[]): Promise<void>;
}

export async function pruneRedis(
  redis: Redis,
  keys: RedisKeys,
  options: PruneOptions,
  fetchRecords: (ids: string[]) => Promise<ExecutionRecord[]>,
): Promise<PruneResult> {
  const executions: Walk<ExecutionRecord> = {
    index: keys.executions,
    async select(ids) {
      const records = await fetchRecords(ids);
      return {
        ended: records.filter((r) => FINAL.has(r.status)),
        missing: missingIds(
          ids,
          records.map((r) => r.executionId),
        ),
      };
    },
    async remove(records, missing) {
      const multi = redis.multi();
      for (const r of records) {
        const id = r.executionId;
        multi.del(keys.execution(id), keys.output(id));
        multi.zrem(keys.executions, id);
        multi.zrem(keys.byStatus(r.status), id);
        multi.zrem(keys.byKind(r.kind), id);
        multi.zrem(keys.durations(r.commandClass), id);
      }
      if (missing.length > 0) multi.zrem(keys.executions, ...missing);
      await multi.exec();
    },
  };
  const connections: Walk<ConnectionRecord> = {
    index: keys.connections,
    async select(ids) {
      const records = (await redis.mget(ids.map((id) => keys.connection(id))))
        .filter((v): v is string => v !== null)
        .map((v) => JSON.parse(v) as ConnectionRecord);
      return {
        ended: records.filter((c) => c.endedAtMs !== null),
        missing: missingIds(
          ids,
          records.map((c) => c.sessionId),
        ),
      };
    },
    async remove(records, missing) {
      const ids = [...records.map((c) => c.sessionId), ...missing];
      await redis
        .multi()
        .del(...ids.map((id) => keys.connection(id)))
        .zrem(keys.connections, ...ids)
        .exec();
    },
  };
  return {
    executions: await pruneIndex(redis, executions, options),
    connections: await pruneIndex(redis, connections, options),
  };
}

async function pruneIndex<T>(redis: Redis, walk: Walk<T>, options: PruneOptions): Promise<number> {
  let deleted = 0;
  if (options.olderThanMs !== undefined) {
    deleted += await deleteOldest(redis, walk, `(${options.olderThanMs}`, Infinity);
  }
  if (options.keepRows !== undefined) {
    const excess = (await redis.zcard(walk.index)) - options.keepRows;
    if (excess > 0) deleted += await deleteOldest(redis, walk, "+inf", excess);
  }
  return deleted;
}

/** Deletes up to `limit` deletable items scored up to `maxScore`, oldest first. */
async function deleteOldest<T>(
  redis: Redis,
  walk: Walk<T>,
  maxScore: string,
  limit: number,
): Promise<number> {
  let deleted = 0;
  let offset = 0;
  while (deleted < limit) {
    const ids = await redis.zrangebyscore(walk.index, "-inf", maxScore, "LIMIT", offset, PAGE);
    if (ids.length === 0) break;
    const { ended, missing } = await walk.select(ids);
    const chosen = ended.slice(0, limit - deleted);
    if (chosen.length > 0 || missing.length > 0) await walk.remove(chosen, missing);
    deleted += chosen.length;
    // What stays (running executions, open connections) is skipped on the next page.
    offset += ids.length - chosen.length - missing.length;
    if (ids.length < PAGE) break;
  }
  return deleted;
}

function missingIds(ids: string[], found: string[]): string[] {
  const present = new Set(found);
  return ids.filter((id) => !present.has(id));
}
