/**
 * Keeps history writes off the output path: callers enqueue and return at once; writes reach
 * the store as one batch (one transaction, one MULTI) every `flushIntervalMs`, or sooner when
 * `maxBatchOps` pile up or a write is urgent (the journal entry of a starting execution, so a
 * SIGKILL loses at most the batch in flight). A later write for the same key replaces the
 * pending one: an execution updated five times between flushes is written once.
 *
 * A failed batch (Redis away, disk full) is put back and retried; `close()` flushes everything.
 */
import type { Store, WriteOp } from "./store.js";

export interface BatcherOptions {
  flushIntervalMs?: number;
  maxBatchOps?: number;
  /** Past this many pending writes (the store is failing), the oldest are dropped and counted. */
  maxPendingOps?: number;
  onError?: (error: Error, pendingOps: number) => void;
}

export interface BatcherCounters {
  flushes: number;
  writtenOps: number;
  failedFlushes: number;
  droppedOps: number;
}

export class WriteBatcher {
  readonly counters: BatcherCounters = {
    flushes: 0,
    writtenOps: 0,
    failedFlushes: 0,
    droppedOps: 0,
  };
  private pending = new Map<string, WriteOp>();
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private chain: Promise<boolean> = Promise.resolve(true);
  private closed = false;
  private readonly flushIntervalMs: number;
  private readonly maxBatchOps: number;
  private readonly maxPendingOps: number;

  constructor(
    private readonly store: Store,
    private readonly options: BatcherOptions = {},
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? 50;
    this.maxBatchOps = options.maxBatchOps ?? 500;
    this.maxPendingOps = options.maxPendingOps ?? 100_000;
  }

  get pendingOps(): number {
    return this.pending.size;
  }

  enqueue(op: WriteOp, urgent = false): void {
    if (this.closed) throw new Error("history writer is closed");
    const key = keyOf(op);
    this.pending.delete(key);
    this.pending.set(key, op);
    this.dropOverflow();
    if (urgent || this.pending.size >= this.maxBatchOps) this.flushSoon();
    else this.flushLater(this.flushIntervalMs);
  }

  /** Writes everything pending now; resolves true when all of it reached the store. */
  flush(): Promise<boolean> {
    this.clearTimers();
    const run = this.chain.then(() => this.drain());
    this.chain = run;
    return run;
  }

  /** Flushes what is pending (retrying a failing store a few times) and refuses new writes. */
  async close(): Promise<boolean> {
    this.closed = true;
    let ok = await this.flush();
    for (let attempt = 1; !ok && attempt < 3; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, this.flushIntervalMs * attempt));
      ok = await this.flush();
    }
    this.clearTimers();
    return ok;
  }

  private async drain(): Promise<boolean> {
    while (this.pending.size > 0) {
      const batch: Array<[string, WriteOp]> = [];
      for (const entry of this.pending) {
        batch.push(entry);
        if (batch.length >= this.maxBatchOps) break;
      }
      for (const [key] of batch) this.pending.delete(key);
      try {
        await this.store.apply(batch.map(([, op]) => op));
        this.counters.flushes++;
        this.counters.writtenOps += batch.length;
      } catch (error) {
        this.counters.failedFlushes++;
        this.putBack(batch);
        this.options.onError?.(error as Error, this.pending.size);
        if (!this.closed) this.flushLater(this.flushIntervalMs * 10);
        return false;
      }
    }
    return true;
  }

  /** Failed writes go back in front, unless a newer write for the same key came meanwhile. */
  private putBack(batch: Array<[string, WriteOp]>): void {
    const merged = new Map<string, WriteOp>();
    for (const [key, op] of batch) if (!this.pending.has(key)) merged.set(key, op);
    for (const [key, op] of this.pending) merged.set(key, op);
    this.pending = merged;
    this.dropOverflow();
  }

  private dropOverflow(): void {
    for (const key of this.pending.keys()) {
      if (this.pending.size <= this.maxPendingOps) return;
      this.pending.delete(key);
      this.counters.droppedOps++;
    }
  }

  private flushSoon(): void {
    if (this.immediate) return;
    this.immediate = setImmediate(() => {
      this.immediate = null;
      void this.flush();
    });
  }

  private flushLater(delayMs: number): void {
    if (this.timer || this.immediate) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, delayMs);
    this.timer.unref();
  }

  private clearTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
  }
}

function keyOf(op: WriteOp): string {
  switch (op.type) {
    case "execution":
      return `e:${op.record.executionId}`;
    case "connection":
      return `c:${op.record.sessionId}`;
    case "journal.put":
      return `j:${op.entry.executionId}`;
    case "journal.remove":
      return `j:${op.executionId}`;
    case "taskrun":
      return `t:${op.record.runId}`;
  }
}
