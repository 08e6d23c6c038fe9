import { statSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { MemoryStore } from "../src/store/memory-store.js";
import { describeStore, openStore } from "../src/store/open-store.js";
import { RedisKeys } from "../src/store/redis/redis-keys.js";
import { RedisStore, StoreUnavailableError } from "../src/store/redis/redis-store.js";
import { SqliteStore } from "../src/store/sqlite/sqlite-store.js";
import {
  deleteRedisKeys,
  REDIS_URL,
  REQUIRE_SERVICES,
  redisReachable,
  tempDir,
} from "./helpers/store-fixtures.js";

const redisUp = await redisReachable(REDIS_URL);
if (!redisUp && !REQUIRE_SERVICES) {
  console.warn(
    `\n!!! Redis is not reachable at ${REDIS_URL}: the Redis cases of open-store are SKIPPED\n`,
  );
}
const withRedis = redisUp || REQUIRE_SERVICES ? it : it.skip;

describe("choosing the history store", () => {
  const home = tempDir("cce-open-store-");
  const prefix = `cce-test:${process.pid}-open:`;
  afterAll(async () => {
    home.remove();
    if (redisUp) await deleteRedisKeys(REDIS_URL, prefix);
  });

  it("opens SQLite at $CC_EXECUTOR_HOME/history.db (0600) when no REDIS_URL is set", async () => {
    const store = await openStore({ home: join(home.path, "h"), redisUrl: null });
    expect(store).toBeInstanceOf(SqliteStore);
    const path = join(home.path, "h", "history.db");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(home.path, "h")).mode & 0o777).toBe(0o700);
    expect(describeStore(store, { home: home.path, redisUrl: null })).toBe(`sqlite ${path}`);
    // SQLite's own 2 MiB page cache, not better-sqlite3's 16 MiB, which a server would keep.
    expect((store as SqliteStore).db.pragma("cache_size", { simple: true })).toBe(-2000);
    await store.close();
  });

  it("opens the in-memory store when asked, whatever the settings", async () => {
    const store = await openStore(
      { home: home.path, redisUrl: "redis://unused" },
      { memory: true },
    );
    expect(store).toBeInstanceOf(MemoryStore);
  });

  withRedis("opens Redis when REDIS_URL is set, and refuses an unknown key layout", async () => {
    const settings = { home: home.path, redisUrl: REDIS_URL };
    const store = await openStore(settings, { redisKeyPrefix: prefix });
    expect(store).toBeInstanceOf(RedisStore);
    expect(describeStore(store, settings)).toMatch(/^redis .+:\d+ \(keys cce-test:.*\*\)$/);
    await store.close();
    const redis = new Redis(REDIS_URL);
    await redis.set(new RedisKeys(prefix).schema, "99");
    redis.disconnect();
    await expect(openStore(settings, { redisKeyPrefix: prefix })).rejects.toThrow(/layout v99/);
  });

  it("reports an unreachable Redis plainly, without its password", async () => {
    const attempt = RedisStore.connect("redis://:s3cret@127.0.0.1:1", { connectTimeoutMs: 500 });
    await expect(attempt).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(attempt).rejects.not.toThrow(/s3cret/);
  });
});
