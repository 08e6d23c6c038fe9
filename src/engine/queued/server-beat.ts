/**
 * This server instance's liveness key in Redis (DESIGN §12, docs/workers.md "When the server
 * dies"): SET PX SERVER_KEY_TTL_MS, refreshed every SERVER_BEAT_INTERVAL_MS, deleted on a clean
 * close. A worker whose jobs' server has had no key for a while (while Redis answers it)
 * interrupts them: a server that died and never came back leaves nothing running unheard.
 */
import { hostname } from "node:os";
import type { Redis } from "ioredis";
import { type QueueKeys, SERVER_BEAT_INTERVAL_MS, SERVER_KEY_TTL_MS } from "./queue-keys.js";

export class ServerBeat {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly commands: Redis,
    private readonly keys: QueueKeys,
    private readonly instanceId: string,
  ) {}

  start(): void {
    void this.beat();
    this.timer = setInterval(() => void this.beat(), SERVER_BEAT_INTERVAL_MS);
    this.timer.unref();
  }

  /** On a clean close: the key goes at once (a failure is harmless: it expires). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.commands.del(this.keys.server(this.instanceId)).catch(() => {});
  }

  private async beat(): Promise<void> {
    const value = JSON.stringify({ host: hostname(), pid: process.pid });
    // Redis away: said by server.status; the key simply expires meanwhile.
    await this.commands
      .set(this.keys.server(this.instanceId), value, "PX", SERVER_KEY_TTL_MS)
      .catch(() => {});
  }
}
