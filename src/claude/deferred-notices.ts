/**
 * Notices a Claude run gives about what it parsed, held until the end of the current read (a
 * microtask later) so each follows the output line it is about; `drain` gives them at once
 * where order matters more (before a retry, at the end).
 */
import type { ClaudeNotice } from "../supervisor/execution/execution-event.js";

export class DeferredNotices {
  private pending: ClaudeNotice[] = [];
  private drainScheduled = false;

  constructor(private readonly give: (notice: ClaudeNotice) => void) {}

  push(notice: ClaudeNotice): void {
    this.pending.push(notice);
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    queueMicrotask(() => this.drain());
  }

  drain(): void {
    this.drainScheduled = false;
    const pending = this.pending;
    this.pending = [];
    for (const notice of pending) this.give(notice);
  }
}
