/**
 * Whether the servers this worker's jobs came from are still alive (DESIGN §12, docs/workers.md
 * "When the server dies"): each live server instance keeps a key in Redis (server-beat.ts). An
 * instance whose key has been missing for `goneAfterMs`, while Redis answered every look,
 * died and did not come back: nobody will hear its jobs, so the worker interrupts them.
 * Redis not answering is not a missing key: that is the worker's own fencing (worker.ts).
 */
import type { Redis } from "ioredis";
import type { QueueKeys } from "../engine/queued/queue-keys.js";

/** A look that took longer than this waited out a reconnect: what it saw starts a new count. */
const SLOW_ANSWER_MS = 3000;

export class ServerWatch {
  /** Instances found without a key, and since when (this worker's clock). */
  private readonly missingSince = new Map<string, number>();
  private looking = false;

  constructor(
    private readonly commands: Redis,
    private readonly keys: QueueKeys,
    private readonly goneAfterMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The instances among `instances` found gone by this look (each reported once). */
  async gone(instances: string[]): Promise<string[]> {
    for (const id of this.missingSince.keys())
      if (!instances.includes(id)) this.missingSince.delete(id);
    if (this.looking || instances.length === 0) return [];
    this.looking = true;
    try {
      return await this.look(instances);
    } finally {
      this.looking = false;
    }
  }

  private async look(instances: string[]): Promise<string[]> {
    // Redis away or just back (perhaps restarted empty): servers have not refreshed yet.
    if (this.commands.status !== "ready") return this.forget();
    const askedMs = this.now();
    let values: Array<string | null>;
    try {
      values = await this.commands.mget(...instances.map((id) => this.keys.server(id)));
    } catch {
      return this.forget();
    }
    const nowMs = this.now();
    if (nowMs - askedMs > SLOW_ANSWER_MS) return this.forget();
    const gone: string[] = [];
    instances.forEach((id, index) => {
      if (values[index] !== null) {
        this.missingSince.delete(id);
        return;
      }
      const sinceMs = this.missingSince.get(id) ?? nowMs;
      this.missingSince.set(id, sinceMs);
      if (nowMs - sinceMs < this.goneAfterMs) return;
      this.missingSince.delete(id);
      gone.push(id);
    });
    return gone;
  }

  private forget(): string[] {
    this.missingSince.clear();
    return [];
  }
}
