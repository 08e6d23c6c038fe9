/** The ioredis connections of the queue, server and worker alike. */
import { Redis } from "ioredis";

/**
 * `maxRetriesPerRequest: null` is what BullMQ needs for its blocking commands: they wait for a
 * Redis that restarts instead of failing. Reconnects back off up to 2 s.
 */
export function queueConnection(url: string, name: string): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: null,
    connectionName: name,
    retryStrategy: (times) => Math.min(times * 100, 2000),
  });
  // Errors are reported where they matter (server.status, the worker's log); an unhandled
  // 'error' event would otherwise crash the process while Redis is away.
  redis.on("error", () => {});
  return redis;
}

/** Resolves once the connection is ready, or rejects with why after `timeoutMs`. */
export function connected(redis: Redis, url: string, timeoutMs: number): Promise<void> {
  if (redis.status === "ready") return Promise.resolve();
  return new Promise((resolve, reject) => {
    let lastError = "no answer";
    const onError = (error: Error) => {
      lastError = error.message;
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`cannot reach Redis at ${redactedUrl(url)}: ${lastError}`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off("ready", onReady);
      redis.off("error", onError);
    };
    redis.on("ready", onReady);
    redis.on("error", onError);
  });
}

/** The URL without its password, for messages and logs. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return url;
  }
}
