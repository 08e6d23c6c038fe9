/**
 * Timeout learning (issue 4): past successful runs of the same command class say how long the
 * next one should take. The estimate is p90 of the latest completed durations × margin, from at
 * least `minSamples` runs. It is reported as `estimated_seconds`, enforced by `timeout: "auto"`
 * (never below `minAutoTimeoutMs`, so a class of quick runs is not killed by a hiccup), and
 * `process.status` says when a run has gone past it.
 */
import { commandClass } from "./command-class.js";
import { percentile } from "./stats.js";
import type { ExecutionKind, Store, TimeoutSource } from "./store.js";

export interface EstimatorOptions {
  margin?: number;
  minSamples?: number;
  /** How many of the latest completed runs are looked at. */
  sampleLimit?: number;
  minAutoTimeoutMs?: number;
}

export interface TimeoutEstimate {
  commandClass: string;
  samples: number;
  p90Ms: number;
  /** p90 × margin: how long a run of this class should take at most. */
  estimatedMs: number;
}

export interface TimeoutDecision {
  timeoutMs: number | null;
  source: TimeoutSource;
  estimate: TimeoutEstimate | null;
}

const CACHE_TTL_MS = 10_000;
const CACHE_MAX_CLASSES = 1000;

export class TimeoutEstimator {
  private readonly cache = new Map<string, { estimate: TimeoutEstimate | null; atMs: number }>();
  readonly margin: number;
  readonly minSamples: number;
  readonly sampleLimit: number;
  readonly minAutoTimeoutMs: number;

  constructor(
    private readonly store: Pick<Store, "recentDurations">,
    options: EstimatorOptions = {},
  ) {
    this.margin = options.margin ?? 1.5;
    this.minSamples = Math.max(1, options.minSamples ?? 3);
    this.sampleLimit = options.sampleLimit ?? 50;
    this.minAutoTimeoutMs = options.minAutoTimeoutMs ?? 10_000;
  }

  /** The estimate for a command line (or a prompt, for `claude`); null with too few samples. */
  async estimate(kind: ExecutionKind, text: string): Promise<TimeoutEstimate | null> {
    const key = commandClass(kind, text);
    // Asked on every execution's start: a recent answer for the class is good enough, and a
    // query per start (a transaction's worth with Redis) is not free.
    const cached = this.cache.get(key);
    if (cached && performance.now() - cached.atMs < CACHE_TTL_MS) return cached.estimate;
    const estimate = await this.compute(key);
    if (this.cache.size >= CACHE_MAX_CLASSES) this.cache.clear();
    this.cache.set(key, { estimate, atMs: performance.now() });
    return estimate;
  }

  private async compute(key: string): Promise<TimeoutEstimate | null> {
    const durations = await this.store.recentDurations(key, this.sampleLimit);
    if (durations.length < this.minSamples) return null;
    const p90Ms = percentile(
      [...durations].sort((a, b) => a - b),
      0.9,
    );
    return {
      commandClass: key,
      samples: durations.length,
      p90Ms,
      estimatedMs: Math.ceil(p90Ms * this.margin),
    };
  }

  /**
   * The wall-clock limit to enforce. `requestedSeconds` is the request's `timeout`: a number,
   * "auto", or absent; `defaultMs` is the server's default (null: no limit).
   */
  async decide(
    requestedSeconds: number | "auto" | undefined,
    kind: ExecutionKind,
    text: string,
    defaultMs: number | null = null,
  ): Promise<TimeoutDecision> {
    const estimate = await this.estimate(kind, text).catch(() => null);
    if (typeof requestedSeconds === "number") {
      return { timeoutMs: Math.round(requestedSeconds * 1000), source: "request", estimate };
    }
    if (requestedSeconds === "auto") {
      if (estimate) {
        const timeoutMs = Math.max(estimate.estimatedMs, this.minAutoTimeoutMs);
        return { timeoutMs, source: "auto", estimate };
      }
      // Too few runs to learn from yet: the server default applies (and says so).
      return { timeoutMs: defaultMs, source: "auto-default", estimate };
    }
    return { timeoutMs: defaultMs, source: defaultMs === null ? "none" : "default", estimate };
  }
}

/** `estimated_seconds` for results: the estimate in seconds, one decimal, rounded up. */
export function estimatedSeconds(estimate: TimeoutEstimate): number {
  return Math.ceil(estimate.estimatedMs / 100) / 10;
}

/**
 * The `process.status` addition when a run has gone past its usual time, else null:
 * e.g. "running 95s; runs of this command usually finish within 40s (p90 of 12 runs × 1.5)".
 */
export function usualTimeExceeded(
  elapsedMs: number,
  estimate: TimeoutEstimate | null,
): string | null {
  if (!estimate || elapsedMs <= estimate.estimatedMs) return null;
  return (
    `running ${Math.round(elapsedMs / 1000)}s; runs of this command usually finish within ` +
    `${estimatedSeconds(estimate)}s (p90 of ${estimate.samples} runs with margin)`
  );
}
