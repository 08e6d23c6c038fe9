/**
 * The spool disk budget of the whole server (DESIGN §11: spool use is capped across all
 * executions, not only per execution).
 *
 * Running spools claim room before each write (`claim`); when the total would pass the cap, the
 * spools of ended executions are given up, oldest first, and when running ones alone fill it the
 * claim is refused and that spool stops (spool.ts). Ended spools outlive the in-memory record of
 * their execution — history (`history.get`) reads full output from them while they exist — and
 * are bounded by total size, by count and by age, swept on a timer so an idle server lets go of
 * them too. At start it adopts the folders earlier runs left.
 *
 * Deletion is a queue drained by a few workers: the record of a spool goes at once, its files a
 * moment later, and a burst of thousands of ended runs costs a queue of folder names, not a
 * promise per folder.
 */
import { readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { ConcurrencyLimit } from "../../runtime/concurrency-limit.js";

export interface JanitorOptions {
  root: string;
  /** Running and ended spools together. */
  totalCapBytes: number;
  /** Ended spools kept at most; 0: no limit. */
  maxKept: number;
  /** 0 keeps spools regardless of age. */
  maxAgeMs: number;
}

/** What a running spool asks of the budget (spool.ts). */
export interface SpoolBudget {
  /** Room for `bytes` more; false when the cap is reached even with every ended spool gone. */
  claim(bytes: number): boolean;
  /** Bytes claimed before and no longer on disk (dropped by the per-execution cap, removed). */
  release(bytes: number): void;
  readonly capBytes: number;
}

interface Kept {
  dir: string;
  bytes: number;
  endedAtMs: number;
}

/** Folders deleted (or measured at start) at once. */
const DISK_JOBS_AT_ONCE = 4;
const MAX_SWEEP_INTERVAL_MS = 60_000;

export class SpoolJanitor implements SpoolBudget {
  /** Ended spools, oldest first. */
  private kept: Kept[] = [];
  private keptBytes = 0;
  private liveBytes = 0;
  private readonly deletions: string[] = [];
  private deleting = 0;
  private idleWaiters: Array<() => void> = [];
  private sweepTimer: NodeJS.Timeout | null = null;
  private readonly diskJobs = new ConcurrencyLimit(DISK_JOBS_AT_ONCE);

  constructor(private readonly options: JanitorOptions) {}

  get capBytes(): number {
    return this.options.totalCapBytes;
  }

  /** Bytes of running and ended spools together. */
  get usedBytes(): number {
    return this.liveBytes + this.keptBytes;
  }

  /** Spool folders of ended executions kept now. */
  get keptCount(): number {
    return this.kept.length;
  }

  /** Adopts the spool folders already on disk (from earlier runs), oldest first. */
  async start(): Promise<void> {
    const names = await readdir(this.options.root).catch(() => [] as string[]);
    const found = await Promise.all(
      names.map((name) => this.diskJobs.run(() => measure(join(this.options.root, name)))),
    );
    for (const kept of found
      .filter((k): k is Kept => k !== null)
      .sort((a, b) => a.endedAtMs - b.endedAtMs)) {
      this.kept.push(kept);
      this.keptBytes += kept.bytes;
    }
    this.prune(0);
    const ageMs = this.options.maxAgeMs;
    if (ageMs > 0) {
      const everyMs = Math.min(MAX_SWEEP_INTERVAL_MS, Math.max(100, Math.floor(ageMs / 4)));
      this.sweepTimer = setInterval(() => this.prune(0), everyMs);
      this.sweepTimer.unref();
    }
  }

  /** Stops the age sweep; deletions already queued still finish (see `idle`). */
  stop(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
  }

  claim(bytes: number): boolean {
    if (this.usedBytes + bytes > this.options.totalCapBytes) this.prune(bytes);
    if (this.usedBytes + bytes > this.options.totalCapBytes) return false;
    this.liveBytes += bytes;
    return true;
  }

  release(bytes: number): void {
    this.liveBytes = Math.max(0, this.liveBytes - bytes);
  }

  /**
   * A spool whose execution has ended and whose files are complete: its claimed bytes become an
   * ended spool's, kept while the bounds allow.
   */
  adopt(dir: string, bytes: number): void {
    this.release(bytes);
    this.kept.push({ dir, bytes, endedAtMs: Date.now() });
    this.keptBytes += bytes;
    this.prune(0);
  }

  /** A spool given up at the end (it did not hold everything): its folder is deleted. */
  discard(dir: string, bytes: number): void {
    this.release(bytes);
    this.deleteLater(dir);
  }

  /** Resolves once every queued deletion is done. */
  idle(): Promise<void> {
    if (this.deletions.length === 0 && this.deleting === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Gives up ended spools, oldest first, until the bounds hold with `roomBytes` more in use. */
  private prune(roomBytes: number): void {
    const oldestAllowedMs = this.options.maxAgeMs > 0 ? Date.now() - this.options.maxAgeMs : 0;
    const maxKept = this.options.maxKept > 0 ? this.options.maxKept : Number.POSITIVE_INFINITY;
    let drop = 0;
    let droppedBytes = 0;
    for (const oldest of this.kept) {
      const overSize = this.usedBytes - droppedBytes + roomBytes > this.options.totalCapBytes;
      const overCount = this.kept.length - drop > maxKept;
      if (!overSize && !overCount && oldest.endedAtMs >= oldestAllowedMs) break;
      drop++;
      droppedBytes += oldest.bytes;
    }
    if (drop === 0) return;
    for (const gone of this.kept.splice(0, drop)) this.deleteLater(gone.dir);
    this.keptBytes -= droppedBytes;
  }

  private deleteLater(dir: string): void {
    this.deletions.push(dir);
    while (this.deleting < DISK_JOBS_AT_ONCE && this.deletions.length > 0) {
      this.deleting++;
      void this.deleteQueued();
    }
  }

  /** One worker: deletes queued folders one after another until the queue is empty. */
  private async deleteQueued(): Promise<void> {
    for (let dir = this.deletions.shift(); dir !== undefined; dir = this.deletions.shift()) {
      await rm(dir, { recursive: true, force: true }).catch(() => {});
    }
    this.deleting--;
    if (this.deleting === 0 && this.deletions.length === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }
}

async function measure(dir: string): Promise<Kept | null> {
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) return null;
    let bytes = 0;
    for (const file of await readdir(dir)) {
      bytes += await stat(join(dir, file)).then(
        (s) => s.size,
        () => 0,
      );
    }
    return { dir, bytes, endedAtMs: info.mtimeMs };
  } catch {
    return null;
  }
}
