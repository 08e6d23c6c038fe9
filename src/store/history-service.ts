/**
 * Everything history needs at server start, in the right order, behind one call: open the store
 * (Redis when configured, else SQLite), mark what a dead predecessor left running `interrupted`
 * (before any new execution is journaled), start retention, and build the recorder and the
 * timeout estimator, and the write batcher the server's history recorder (server/history/)
 * queues on. The composition root calls `close()` after the engine has shut down and the
 * recorder has written what it held.
 */
import type { Settings } from "../config/settings.js";
import type { Logger } from "../log/logger.js";
import { currentServerIdentity, type ServerIdentity } from "../supervisor/process/proc-stat.js";
import { openStore } from "./open-store.js";
import { type RecoveryReport, recoverInterrupted } from "./recover-interrupted.js";
import { Retention, type RetentionOptions } from "./retention.js";
import type { Store } from "./store.js";
import { type StoreTiming, timedStore } from "./timed-store.js";
import { type EstimatorOptions, TimeoutEstimator } from "./timeout-estimator.js";
import { type BatcherOptions, WriteBatcher } from "./write-batcher.js";

export interface HistoryOptions {
  logger: Logger;
  /** Use the in-memory store (history off, or tests). */
  memory?: boolean;
  redisKeyPrefix?: string;
  retention?: RetentionOptions;
  estimator?: EstimatorOptions;
  batcher?: Omit<BatcherOptions, "onError">;
  /** Told how long each store call took (the store latency metric). */
  timing?: StoreTiming;
}

export interface HistoryService {
  store: Store;
  /** History writes are queued here, off every caller's path. */
  batcher: WriteBatcher;
  /** This server, as journal entries and task runs name their owner. */
  identity: ServerIdentity;
  estimator: TimeoutEstimator;
  retention: Retention;
  /** What the start-up recovery found and did. */
  recovery: RecoveryReport;
  /** Writes everything out and closes the store; call after the engine has shut down. */
  close(): Promise<void>;
}

export async function startHistory(
  settings: Pick<Settings, "home" | "redisUrl">,
  options: HistoryOptions,
): Promise<HistoryService> {
  const { logger } = options;
  const opened = await openStore(settings, {
    memory: options.memory,
    redisKeyPrefix: options.redisKeyPrefix,
  });
  const store = options.timing ? timedStore(opened, options.timing) : opened;
  const identity = currentServerIdentity();
  let recovery: RecoveryReport;
  try {
    recovery = await recoverInterrupted(store, { identity });
  } catch (error) {
    await store.close();
    throw error;
  }
  if (recovery.interrupted.length > 0 || recovery.spared.length > 0) {
    logger.warn(
      {
        interrupted: recovery.interrupted,
        killed_groups: recovery.killedGroups,
        spared: recovery.spared,
      },
      "executions left running by a previous server were marked interrupted",
    );
  }
  const retention = new Retention(store, {
    ...options.retention,
    onError: (error) => logger.error({ err: error }, "history retention failed"),
    onPruned: (result) => logger.info(result, "history retention deleted old records"),
  });
  await retention.start().catch((error: Error) => {
    logger.error({ err: error }, "history retention failed");
  });
  const batcher = new WriteBatcher(store, {
    ...options.batcher,
    onError: (error, pendingOps) =>
      logger.error({ err: error, pending_ops: pendingOps }, "history write failed; will retry"),
  });
  let closing: Promise<void> | null = null;
  return {
    store,
    batcher,
    identity,
    estimator: new TimeoutEstimator(store, options.estimator),
    retention,
    recovery,
    close() {
      closing ??= (async () => {
        await retention.stop();
        const written = await batcher.close();
        if (!written) logger.error(batcher.counters, "history: some writes could not be stored");
        await store.close();
      })();
      return closing;
    },
  };
}
