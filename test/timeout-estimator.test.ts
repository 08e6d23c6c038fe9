import { describe, expect, it } from "vitest";
import { commandClass } from "../src/store/command-class.js";
import { MemoryStore } from "../src/store/memory-store.js";
import {
  estimatedSeconds,
  TimeoutEstimator,
  usualTimeExceeded,
} from "../src/store/timeout-estimator.js";
import { executionRecord, putAll } from "./helpers/store-fixtures.js";

async function storeWith(command: string, durationsMs: number[], status = "completed" as const) {
  const store = new MemoryStore();
  await putAll(
    store,
    durationsMs.map((durationMs, i) =>
      executionRecord({
        executionId: `r${i}`,
        command,
        commandClass: commandClass("command", command),
        status,
        durationMs,
        endedAtMs: 1000 + i,
      }),
    ),
  );
  return store;
}

describe("timeout estimator", () => {
  it("needs at least three completed runs of the class", async () => {
    const store = await storeWith("make build", [1000, 2000]);
    const estimator = new TimeoutEstimator(store);
    expect(await estimator.estimate("command", "make build")).toBeNull();
    await putAll(store, [
      executionRecord({
        executionId: "f",
        command: "make build",
        commandClass: "cmd:make build",
        status: "failed",
        durationMs: 9,
      }),
    ]);
    expect(await estimator.estimate("command", "make build")).toBeNull();
  });

  it("estimates p90 × margin over runs of the same class", async () => {
    const durations = [1000, 1100, 1200, 1300, 1400, 1500, 1600, 1700, 1800, 10_000];
    const store = await storeWith("sleep 1", durations);
    const estimator = new TimeoutEstimator(store, { margin: 1.5 });
    const estimate = await estimator.estimate("command", "sleep 7");
    expect(estimate).toEqual({
      commandClass: "cmd:sleep <n>",
      samples: 10,
      p90Ms: 1800,
      estimatedMs: 2700,
    });
    expect(estimatedSeconds(estimate as NonNullable<typeof estimate>)).toBe(2.7);
  });

  it("looks only at the latest runs", async () => {
    const store = await storeWith("job", [100, 100, 100, 5000, 5000, 5000]);
    const estimator = new TimeoutEstimator(store, { sampleLimit: 3, margin: 1 });
    expect((await estimator.estimate("command", "job"))?.p90Ms).toBe(5000);
  });

  it("decides the timeout: request, auto, auto without samples, default", async () => {
    const store = await storeWith("job", [20_000, 20_000, 30_000]);
    const estimator = new TimeoutEstimator(store, { margin: 2, minAutoTimeoutMs: 10_000 });
    expect(await estimator.decide(5, "command", "job")).toMatchObject({
      timeoutMs: 5000,
      source: "request",
    });
    expect(await estimator.decide("auto", "command", "job")).toMatchObject({
      timeoutMs: 60_000,
      source: "auto",
      estimate: { samples: 3 },
    });
    expect(await estimator.decide("auto", "command", "other", 99_000)).toEqual({
      timeoutMs: 99_000,
      source: "auto-default",
      estimate: null,
    });
    expect(await estimator.decide(undefined, "command", "other")).toEqual({
      timeoutMs: null,
      source: "none",
      estimate: null,
    });
    expect(await estimator.decide(undefined, "command", "job", 7000)).toMatchObject({
      timeoutMs: 7000,
      source: "default",
    });
  });

  it("never auto-limits a quick class below the floor", async () => {
    const store = await storeWith("true", [5, 6, 7]);
    const estimator = new TimeoutEstimator(store, { minAutoTimeoutMs: 10_000 });
    expect((await estimator.decide("auto", "command", "true")).timeoutMs).toBe(10_000);
  });

  it("says when a run exceeds its usual time", () => {
    const estimate = { commandClass: "cmd:x", samples: 5, p90Ms: 20_000, estimatedMs: 30_000 };
    expect(usualTimeExceeded(29_000, estimate)).toBeNull();
    expect(usualTimeExceeded(45_000, null)).toBeNull();
    expect(usualTimeExceeded(45_000, estimate)).toBe(
      "running 45s; runs of this command usually finish within 30s (p90 of 5 runs with margin)",
    );
  });
});
