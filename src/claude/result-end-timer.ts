/**
 * The wait between a Claude `result` and ending the CLI's process group (docs/claude.md): the
 * CLI gets a grace to exit by itself (longer while background tasks are pending), a line after
 * the result re-arms the wait, and a new turn clears it until its own result.
 */
export class ResultEndTimer {
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly onEnd: () => void) {}

  /** A wait is under way: a result came and nothing has cleared it since. */
  get armed(): boolean {
    return this.timer !== null;
  }

  /** (Re)starts the wait: `onEnd` runs after `waitMs` unless cleared or re-armed first. */
  arm(waitMs: number): void {
    this.clear();
    this.timer = setTimeout(() => {
      this.timer = null;
      this.onEnd();
    }, waitMs);
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
