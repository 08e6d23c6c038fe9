/**
 * The supervisor's clocks on their own (issue 15, item 4): a limit past 2^31−1 ms — refused by
 * every schema, but a learned `timeout: "auto"` is computed, not given — must not fire at once
 * (Node fires an overflowing setTimeout after 1 ms, with a TimeoutOverflowWarning).
 */
import { afterEach, describe, expect, it } from "vitest";
import { ExecutionTimers } from "../src/supervisor/execution/execution-timers.js";

const warnings: string[] = [];
const onWarning = (warning: Error) => warnings.push(warning.name);
process.on("warning", onWarning);
afterEach(() => {
  warnings.length = 0;
});

/** Resolves after timers due within `ms` have run (Node runs due timers in order of expiry). */
const timersDue = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("ExecutionTimers past 2^31−1 ms", () => {
  it("a wall-clock and an idle limit of 3,000,000 s neither fire nor warn", async () => {
    const fired: string[] = [];
    const timers = new ExecutionTimers(
      { timeoutMs: 3e9, idleTimeoutMs: 3e9, statusIntervalMs: 3e9 },
      { onTimeout: (kind) => fired.push(kind), onSilence: () => fired.push("silence") },
    );
    timers.start();
    await timersDue(30);
    timers.pause();
    timers.resume();
    await timersDue(30);
    timers.stop();
    expect(fired).toEqual([]);
    expect(warnings).not.toContain("TimeoutOverflowWarning");
  });

  it("a limit within range still fires", async () => {
    const timers = new ExecutionTimers(
      { timeoutMs: 5, idleTimeoutMs: null, statusIntervalMs: 3e9 },
      { onTimeout: (kind) => fired.push(kind), onSilence: () => {} },
    );
    const fired: string[] = [];
    timers.start();
    await timersDue(30);
    timers.stop();
    expect(fired).toEqual(["wall"]);
  });
});
