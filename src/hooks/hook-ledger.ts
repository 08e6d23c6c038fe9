/**
 * What `hook_status` tells about the hooks (docs/hooks.md): per hook, how often it ran and
 * failed and how it last went; and the latest results (`hooks.recent` of them), newest first.
 */
import { performance } from "node:perf_hooks";
import type { HooksConfig } from "../config/hooks-config.js";
import type { HookStatusResult } from "../protocol/hooks.js";
import type { Hook, HookOutcome, HookResultEntry } from "./hook-types.js";

interface Counters {
  runs: number;
  failures: number;
  lastOutcome: HookOutcome | null;
  lastAt: string | null;
}

export class HookLedger {
  private readonly counters = new Map<Hook, Counters>();
  private readonly recent: HookResultEntry[] = [];

  constructor(private readonly config: Pick<HooksConfig, "recent">) {}

  /** One run of `hook` for `executionId` ended with `outcome`; it started at `startedMs`. */
  record(
    hook: Hook,
    executionId: string,
    outcome: HookOutcome,
    startedMs: number,
    message: string | null,
  ): void {
    const at = new Date().toISOString();
    const counters = this.counters.get(hook) ?? {
      runs: 0,
      failures: 0,
      lastOutcome: null,
      lastAt: null,
    };
    counters.runs++;
    if (outcome === "failed" || outcome === "timeout") counters.failures++;
    counters.lastOutcome = outcome;
    counters.lastAt = at;
    this.counters.set(hook, counters);
    if (hook.quietWhenIdle && outcome === "ok") return;
    if (this.config.recent === 0) return;
    this.recent.push({
      hook: hook.name,
      phase: hook.phase,
      execution_id: executionId,
      outcome,
      duration_ms: Math.round((performance.now() - startedMs) * 1000) / 1000,
      message,
      at,
    });
    if (this.recent.length > this.config.recent) this.recent.shift();
  }

  /** `hooks` and `recent` of hook_status, for these hooks in this order. */
  status(hooks: Hook[]): Pick<HookStatusResult, "hooks" | "recent"> {
    return {
      hooks: hooks.map((hook) => {
        const counters = this.counters.get(hook);
        return {
          name: hook.name,
          type: hook.type,
          phase: hook.phase,
          kinds: hook.kinds,
          run: hook.describe,
          timeout_seconds: hook.timeoutMs / 1000,
          runs: counters?.runs ?? 0,
          failures: counters?.failures ?? 0,
          last_outcome: counters?.lastOutcome ?? null,
          last_at: counters?.lastAt ?? null,
        };
      }),
      recent: [...this.recent].reverse(),
    };
  }
}
