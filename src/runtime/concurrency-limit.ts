/**
 * Runs at most `max` async jobs at once; the rest wait in arrival order. Used where many callers
 * could each open files at the same moment (e.g. /proc reads of every sampled execution), so the
 * descriptors in use stay bounded whatever the number of callers.
 */
export class ConcurrencyLimit {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly max: number) {}

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await job();
    } finally {
      // The slot passes straight to the next waiter, so `active` never exceeds `max`.
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
