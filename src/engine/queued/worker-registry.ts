/**
 * The workers this server can see (DESIGN §12): their heartbeats, read from Redis every second.
 * A worker is alive while its beat keeps changing, judged by this server's clock (machines'
 * clocks may differ); one silent for WORKER_DEAD_AFTER_MS is dead and its executions end
 * `interrupted` (queued-engine.ts).
 */
import type { Redis } from "ioredis";
import { type QueueKeys, WORKER_DEAD_AFTER_MS, type WorkerBeat } from "./queue-keys.js";

const POLL_MS = 1000;
/** Polls further apart than this (a poll that waited for Redis) break the reading. */
const GAP_MS = 3 * POLL_MS;
/** A dead worker's entry is removed after this, so the registry does not grow without end. */
const FORGET_AFTER_MS = 10 * 60_000;

interface Seen {
  beat: WorkerBeat & { stopped?: boolean };
  raw: string;
  /** This server's clock when the beat last changed. */
  changedAtMs: number;
}

export class WorkerRegistry {
  private readonly seen = new Map<string, Seen>();
  /** Entries skipped as not a beat (said once each). */
  private readonly bad = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private polling = false;
  /** Why the last poll failed; null when Redis answered. */
  error: string | null = null;
  /** When the last successful poll was (this server's clock; 0: none yet). */
  private lastReadMs = 0;
  /**
   * Since when polls have succeeded without a gap (0: not now). After a gap — Redis away, or
   * restarted without its data (the hash empty until each worker beats again) — nobody's
   * silence means anything until the workers have had WORKER_DEAD_AFTER_MS to beat again.
   */
  private readingSinceMs = 0;

  constructor(
    private readonly commands: Redis,
    private readonly keys: QueueKeys,
    private readonly onPoll: () => void,
    /** An entry that is not a beat (another client, another version): skipped, said once. */
    private readonly onBadEntry: (id: string, error: string) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    // A lost connection is a gap even when the next poll is quick (Redis restarted at once).
    this.commands.on("close", () => {
      this.readingSinceMs = 0;
    });
    void this.poll();
    this.timer = setInterval(() => void this.poll(), POLL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Workers alive now (not stopped, beating). */
  alive(): WorkerBeat[] {
    const now = this.now();
    return [...this.seen.values()]
      .filter((s) => !s.beat.stopped && now - s.changedAtMs < WORKER_DEAD_AFTER_MS)
      .map((s) => s.beat);
  }

  isAlive(workerId: string): boolean {
    const seen = this.seen.get(workerId);
    if (!seen) return false;
    return !seen.beat.stopped && this.now() - seen.changedAtMs < WORKER_DEAD_AFTER_MS;
  }

  /** Whether it was ever seen (a worker that took a job before the first poll saw it). */
  known(workerId: string): boolean {
    return this.seen.has(workerId);
  }

  /** Whether silence can be judged now: the registry has been read without gap for long enough. */
  canJudge(): boolean {
    return this.readingSinceMs > 0 && this.now() - this.readingSinceMs >= WORKER_DEAD_AFTER_MS;
  }

  capacity(): number {
    return this.alive().reduce((sum, beat) => sum + beat.concurrency, 0);
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const all = await this.commands.hgetall(this.keys.workers);
      const now = this.now();
      // A command that waited out a reconnect (ioredis queues it) is a gap too.
      if (this.readingSinceMs === 0 || now - this.lastReadMs > GAP_MS) this.readingSinceMs = now;
      this.lastReadMs = now;
      this.error = null;
      for (const [id, raw] of Object.entries(all)) {
        const before = this.seen.get(id);
        if (before?.raw === raw) {
          if (now - before.changedAtMs > FORGET_AFTER_MS) {
            this.seen.delete(id);
            await this.commands.hdel(this.keys.workers, id);
          }
          continue;
        }
        const beat = parseBeat(raw);
        if (beat) this.seen.set(id, { beat, raw, changedAtMs: now });
        else if (!this.bad.has(id)) {
          this.bad.add(id);
          this.onBadEntry(id, `not a worker's heartbeat: ${raw.slice(0, 80)}`);
        }
      }
      for (const id of this.seen.keys()) if (!(id in all)) this.seen.delete(id);
      for (const id of this.bad) if (!(id in all)) this.bad.delete(id);
    } catch (error) {
      this.error = (error as Error).message;
      this.readingSinceMs = 0;
    } finally {
      this.polling = false;
    }
    this.onPoll();
  }
}

/** A beat as a worker writes it; null for anything else (one bad entry must not stop polling). */
function parseBeat(raw: string): Seen["beat"] | null {
  let beat: unknown;
  try {
    beat = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof beat !== "object" || beat === null) return null;
  const b = beat as Record<string, unknown>;
  const ok =
    typeof b.id === "string" &&
    typeof b.host === "string" &&
    typeof b.pid === "number" &&
    typeof b.concurrency === "number" &&
    typeof b.running === "number" &&
    typeof b.last_heartbeat === "number";
  return ok ? (beat as Seen["beat"]) : null;
}
