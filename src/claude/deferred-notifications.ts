/**
 * Notifications a Claude run sends about what it parsed, held until the end of the current read
 * (a microtask later) so each follows the output line it is about; `drain` sends them at once
 * where order matters more (before a retry, at completion).
 */
export class DeferredNotifications {
  private pending: Array<{ method: string; params: object }> = [];
  private drainScheduled = false;

  constructor(private readonly send: (method: string, params: object) => void) {}

  push(method: string, params: object): void {
    this.pending.push({ method, params });
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    queueMicrotask(() => this.drain());
  }

  drain(): void {
    this.drainScheduled = false;
    const pending = this.pending;
    this.pending = [];
    for (const { method, params } of pending) this.send(method, params);
  }
}
