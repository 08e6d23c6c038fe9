/**
 * History retention: ended executions older than `maxAgeMs`, then the oldest beyond `maxRows`,
 * are deleted — on start and every `intervalMs` after. Executions still running are never
 * deleted. Spool files are the supervisor's; this only trims the store.
 */
import type { PruneResult, Store } from "./store.js";

export interface RetentionOptions {
  /** Null keeps everything regardless of age. Default 30 days. */
  maxAgeMs?: number | null;
  /** Null keeps any number. Default 100,000. */
  maxRows?: number | null;
  /** Default hourly. */
  intervalMs?: number;
  now?: () => number;
  onError?: (error: Error) => void;
  onPruned?: (result: PruneResult) => void;
}

export const DEFAULT_RETENTION = {
  maxAgeMs: 30 * 24 * 3600 * 1000,
  maxRows: 100_000,
  intervalMs: 3600 * 1000,
} as const;

export class Retention {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<PruneResult> | null = null;
  private readonly maxAgeMs: number | null;
  private readonly maxRows: number | null;
  private readonly intervalMs: number;
  private readonly now: () => number;

  constructor(
    private readonly store: Store,
    private readonly options: RetentionOptions = {},
  ) {
    this.maxAgeMs = options.maxAgeMs === undefined ? DEFAULT_RETENTION.maxAgeMs : options.maxAgeMs;
    this.maxRows = options.maxRows === undefined ? DEFAULT_RETENTION.maxRows : options.maxRows;
    this.intervalMs = options.intervalMs ?? DEFAULT_RETENTION.intervalMs;
    this.now = options.now ?? Date.now;
  }

  /** Prunes once now, then every interval until `stop()`. */
  async start(): Promise<PruneResult> {
    const first = await this.runOnce();
    this.timer ??= setInterval(() => {
      void this.runOnce().catch((error: Error) => this.options.onError?.(error));
    }, this.intervalMs);
    this.timer.unref();
    return first;
  }

  /** One pass; concurrent calls share it. */
  runOnce(): Promise<PruneResult> {
    this.running ??= this.store
      .prune({
        olderThanMs: this.maxAgeMs === null ? undefined : this.now() - this.maxAgeMs,
        keepRows: this.maxRows ?? undefined,
      })
      .then((result) => {
        if (result.executions > 0 || result.connections > 0) this.options.onPruned?.(result);
        return result;
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  /** Stops the timer and waits for a pass in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
  }
}
