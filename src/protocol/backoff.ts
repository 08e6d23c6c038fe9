/**
 * Exponential backoff with jitter: the one formula behind every "wait, then try again" of
 * cc-executor — the client reconnecting, a Claude run retried, a task-list step retried. It lives
 * in protocol/ (no Node, no other folder) because both sides back off the same way and the
 * browser client needs it too.
 */

export interface BackoffOptions {
  /** 1 for the first wait (after the first failure), 2 for the next, … */
  attempt: number;
  /** The first wait. */
  baseMs: number;
  /** The doubling stops here; the jitter is added on top. */
  maxMs: number;
  /**
   * Up to this fraction more, at random, so that many clients or runs do not retry in step:
   * 0.25 waits 1 to 1.25 times the doubled delay. Default 0 (no jitter).
   */
  jitter?: number;
  /** [0, 1), like Math.random (the default); tests pass a fixed one. */
  random?: () => number;
}

/** base × 2^(attempt − 1), at most max, times 1 + jitter × random, rounded to whole ms. */
export function backoffMs({
  attempt,
  baseMs,
  maxMs,
  jitter = 0,
  random = Math.random,
}: BackoffOptions): number {
  // The exponent is bounded so that a base of 0 stays 0 (0 × Infinity would be NaN).
  const doublings = Math.min(Math.max(0, attempt - 1), 64);
  const capped = Math.min(maxMs, baseMs * 2 ** doublings);
  return Math.round(capped * (1 + jitter * random()));
}
