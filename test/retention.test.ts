import { describe, expect, it } from "vitest";
import { MemoryStore } from "../src/store/memory-store.js";
import { Retention } from "../src/store/retention.js";
import type { PruneResult } from "../src/store/store.js";
import { executionRecord, putAll } from "./helpers/store-fixtures.js";

const DAY = 86_400_000;
const NOW = 1_800_000_000_000;

describe("retention", () => {
  it("on start, deletes ended executions past the age, then the oldest past max rows", async () => {
    const store = new MemoryStore();
    await putAll(store, [
      executionRecord({ executionId: "ancient", createdAtMs: NOW - 40 * DAY }),
      executionRecord({
        executionId: "ancient-running",
        createdAtMs: NOW - 41 * DAY,
        status: "running",
        endedAtMs: null,
      }),
      ...Array.from({ length: 5 }, (_, i) =>
        executionRecord({ executionId: `r${i}`, createdAtMs: NOW - (5 - i) * DAY }),
      ),
    ]);
    const retention = new Retention(store, { maxAgeMs: 30 * DAY, maxRows: 4, now: () => NOW });
    expect(await retention.start()).toEqual({ executions: 3, connections: 0 });
    const left = (await store.listExecutions({ limit: 10 })).map((r) => r.executionId);
    expect(left).toEqual(["r4", "r3", "r2", "ancient-running"]);
    await retention.stop();
  });

  it("keeps everything when both limits are off", async () => {
    const store = new MemoryStore();
    await putAll(store, [executionRecord({ createdAtMs: 0 })]);
    const retention = new Retention(store, { maxAgeMs: null, maxRows: null });
    expect(await retention.runOnce()).toEqual({ executions: 0, connections: 0 });
    expect(await store.countExecutions()).toBe(1);
  });

  it("prunes again every interval", async () => {
    const store = new MemoryStore();
    let now = NOW;
    let notify: (result: PruneResult) => void = () => {};
    const retention = new Retention(store, {
      maxAgeMs: DAY,
      maxRows: null,
      intervalMs: 5,
      now: () => now,
      onPruned: (result) => notify(result),
    });
    await retention.start();
    const pruned = new Promise<PruneResult>((resolve) => {
      notify = resolve;
    });
    await putAll(store, [executionRecord({ executionId: "later", createdAtMs: NOW })]);
    now = NOW + 2 * DAY;
    expect(await pruned).toEqual({ executions: 1, connections: 0 });
    await retention.stop();
    expect(await store.countExecutions()).toBe(0);
  });
});
