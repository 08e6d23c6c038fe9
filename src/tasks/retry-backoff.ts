/**
 * The wait between a failed attempt of a task and its next one: doubling from the list's
 * `retry_delay`, capped at 5 minutes, with up to 25% jitter so the retries of many runs do not
 * line up; and a sleep that a cancel or the server stopping cuts short.
 */
const MAX_BACKOFF_MS = 5 * 60 * 1000;

/** The delay before the attempt after `failedAttempts` failed ones (1, 2, …). */
export function retryBackoffMs(
  retryDelayMs: number,
  failedAttempts: number,
  random: () => number = Math.random,
): number {
  const base = retryDelayMs * 2 ** (failedAttempts - 1);
  const jitter = 1 + 0.25 * random();
  return Math.round(Math.min(MAX_BACKOFF_MS, base) * jitter);
}

/** Resolves after `ms`, or as soon as `wake` aborts (at once if it already has). */
export function sleepUnlessWoken(ms: number, wake: AbortSignal): Promise<void> {
  if (wake.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      wake.removeEventListener("abort", done);
      resolve();
    }
    wake.addEventListener("abort", done, { once: true });
  });
}
