/**
 * Chooses the history store from the settings: Redis when `REDIS_URL` is set (several servers
 * share one history), else the embedded SQLite file in the home, so a fresh machine needs
 * nothing else. The in-memory store is for tests and history-off runs.
 */
import { ensureHome } from "../config/home.js";
import type { Settings } from "../config/settings.js";
import { MemoryStore } from "./memory-store.js";
import { SqliteStore } from "./sqlite/sqlite-store.js";
import type { Store } from "./store.js";
import { StoreUnavailableError } from "./store-errors.js";

export interface OpenStoreOptions {
  /** Use the in-memory store whatever the settings say. */
  memory?: boolean;
  redisKeyPrefix?: string;
  redisConnectTimeoutMs?: number;
}

export async function openStore(
  settings: Pick<Settings, "home" | "redisUrl">,
  options: OpenStoreOptions = {},
): Promise<Store> {
  if (options.memory) return new MemoryStore();
  if (settings.redisUrl) {
    // Loaded only when used: ioredis costs ~20 MB of server memory that SQLite users never need.
    const { RedisStore } = await import("./redis/redis-store.js");
    return RedisStore.connect(settings.redisUrl, {
      keyPrefix: options.redisKeyPrefix,
      connectTimeoutMs: options.redisConnectTimeoutMs,
    });
  }
  const path = ensureHome(settings.home).historyDb;
  try {
    return new SqliteStore(path);
  } catch (error) {
    throw unusableDatabase(path, error);
  }
}

/** A history file SQLite cannot open or read, said in one line with what to do. */
function unusableDatabase(path: string, error: unknown): StoreUnavailableError {
  const code = (error as { code?: string }).code ?? "";
  const message = (error as Error).message;
  if (code === "SQLITE_NOTADB" || code.startsWith("SQLITE_CORRUPT")) {
    return new StoreUnavailableError(
      `${path} is not a readable history database (${message}); move it aside ` +
        `(mv ${path} ${path}.bad) and cc-executor starts a new one`,
    );
  }
  return new StoreUnavailableError(
    `cannot open the history database ${path} (${code || message}); check that it is a file ` +
      `you can read and write, or move it aside (mv ${path} ${path}.bad)`,
  );
}

/** Where the history lives, for logs and `doctor` (never the Redis password). */
export function describeStore(store: Store, settings: Pick<Settings, "home" | "redisUrl">): string {
  if (store instanceof SqliteStore) return `sqlite ${store.db.name}`;
  if (store.kind === "redis" && settings.redisUrl) {
    const url = new URL(settings.redisUrl);
    const prefix = (store as unknown as { keys: { prefix: string } }).keys.prefix;
    return `redis ${url.hostname}:${url.port || 6379} (keys ${prefix}*)`;
  }
  return store.kind;
}
