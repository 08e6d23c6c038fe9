/**
 * Everything history needs at server start, in the right order, behind one call: open the store
 * (Redis when configured, else SQLite), mark what a dead predecessor left running `interrupted`
 * (before any new execution is journaled), start retention, and build the recorder and the
 * timeout estimator. The composition root attaches `recorder` to the supervisor, hands
 * connections to it, puts the service on the server context as `history`, and calls `close()`
 * after the supervisor has shut down.
 */
import type { Settings } from "../config/settings.js";
import { HistoryRecorder } from "../engine/history/history-recorder.js";
import type { Logger } from "../log/logger.js";
import { currentServerIdentity } from "../supervisor/process/proc-stat.js";
import { openStore } from "./open-store.js";
import { type RecoveryReport, recoverInterrupted } from "./recover-interrupted.js";
import { Retention, type RetentionOptions } from "./retention.js";
import type { Store } from "./store.js";
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
  /** Bytes of output kept at each end of an execution in the store (default 64 KiB). */
  outputBytes?: number;
}

export interface HistoryService {
  store: Store;
  recorder: HistoryRecorder;
  estimator: TimeoutEstimator;
  retention: Retention;
  /** What the start-up recovery found and did. */
  recovery: RecoveryReport;
  /** Writes pending history now (before answering a history query). */
  flush(): Promise<boolean>;
  /** Writes everything out and closes the store; call after the supervisor has shut down. */
  close(): Promise<void>;
}

export async function startHistory(
  settings: Pick<Settings, "home" | "redisUrl">,
  options: HistoryOptions,
): Promise<HistoryService> {
  const { logger } = options;
  const store = await openStore(settings, {
    memory: options.memory,
    redisKeyPrefix: options.redisKeyPrefix,
  });
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
  const recorder = new HistoryRecorder(batcher, {
    identity,
    headBytes: options.outputBytes,
    tailBytes: options.outputBytes,
  });
  let closing: Promise<void> | null = null;
  return {
    store,
    recorder,
    estimator: new TimeoutEstimator(store, options.estimator),
    retention,
    recovery,
    flush: () => recorder.flush(),
    close() {
      closing ??= (async () => {
        await retention.stop();
        const written = await recorder.close();
        if (!written) logger.error(batcher.counters, "history: some writes could not be stored");
        await store.close();
      })();
      return closing;
    },
  };
}
