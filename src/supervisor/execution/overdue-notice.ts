/**
 * The one `process.status` a run gets when it goes past the time runs of its command usually
 * take (learned from history), even while its output flows — silence has its own clock in
 * execution-timers.ts. status-report.ts words the notice.
 */

import { MAX_DURATION_MS } from "../../protocol/durations.js";

/** Runs usually shorter than this get no "longer than usual" notice. */
const MIN_OVERDUE_NOTICE_MS = 5000;

export class OverdueNotice {
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly onOverdue: () => void) {}

  /** Starts the clock for a run that usually takes `usualMs` (when known). */
  arm(usualMs: number | null | undefined): void {
    // Only worth saying for runs long enough that someone could be left wondering.
    if (usualMs === null || usualMs === undefined || usualMs < MIN_OVERDUE_NOTICE_MS) return;
    // A timer cannot wait longer than 2^31−1 ms (it would fire at once): no notice then.
    if (usualMs + 1 > MAX_DURATION_MS) return;
    this.timer = setTimeout(() => this.onOverdue(), usualMs + 1);
    this.timer.unref();
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
