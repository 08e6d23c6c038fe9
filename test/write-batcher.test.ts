import { describe, expect, it } from "vitest";
import { MemoryStore } from "../src/store/memory-store.js";
import type { WriteOp } from "../src/store/store.js";
import { WriteBatcher } from "../src/store/write-batcher.js";
import { executionRecord, journalEntry } from "./helpers/store-fixtures.js";

/** A MemoryStore that records each batch, can fail on demand and tells when it was called. */
class SpyStore extends MemoryStore {
  batches: WriteOp[][] = [];
  failNext = 0;
  private waiters: Array<() => void> = [];
  private gate: Promise<void> | null = null;

  override async apply(ops: readonly WriteOp[]): Promise<void> {
    this.batches.push([...ops]);
    for (const wake of this.waiters.splice(0)) wake();
    if (this.gate) await this.gate;
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error("store unavailable");
    }
    await super.apply(ops);
  }

  nextApply(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  hold(): () => void {
    let release!: () => void;
    this.gate = new Promise((resolve) => {
      release = resolve;
    });
    return () => {
      this.gate = null;
      release();
    };
  }
}

const put = (id: string, status: "running" | "completed" = "running"): WriteOp => ({
  type: "execution",
  record: executionRecord({ executionId: id, status }),
});

describe("write batcher", () => {
  it("queues without writing, then writes one batch with the last write of each key", async () => {
    const store = new SpyStore();
    const batcher = new WriteBatcher(store, { flushIntervalMs: 60_000 });
    for (let i = 0; i < 5; i++) batcher.enqueue(put("a", i === 4 ? "completed" : "running"));
    batcher.enqueue(put("b"));
    expect(store.batches).toHaveLength(0);
    expect(batcher.pendingOps).toBe(2);
    expect(await batcher.flush()).toBe(true);
    expect(store.batches).toHaveLength(1);
    expect(store.batches[0]?.map((op) => op.type === "execution" && op.record.executionId)).toEqual(
      ["a", "b"],
    );
    expect((await store.getExecution("a"))?.status).toBe("completed");
    await batcher.close();
  });

  it("flushes by itself after the interval, and at once for urgent writes", async () => {
    const store = new SpyStore();
    const batcher = new WriteBatcher(store, { flushIntervalMs: 5 });
    const first = store.nextApply();
    batcher.enqueue(put("a"));
    await first;
    expect(store.batches[0]).toHaveLength(1);
    const slow = new WriteBatcher(store, { flushIntervalMs: 60_000 });
    const urgent = store.nextApply();
    slow.enqueue({ type: "journal.put", entry: journalEntry({ executionId: "j" }) }, true);
    await urgent;
    expect(store.batches[1]?.[0]?.type).toBe("journal.put");
    await Promise.all([batcher.close(), slow.close()]);
  });

  it("splits large backlogs into batches of maxBatchOps, in order", async () => {
    const store = new SpyStore();
    const batcher = new WriteBatcher(store, { flushIntervalMs: 60_000, maxBatchOps: 500 });
    const release = store.hold();
    for (let i = 0; i < 1200; i++) batcher.enqueue(put(`e${i}`));
    release();
    await batcher.close();
    expect(store.batches.map((b) => b.length).reduce((a, b) => a + b, 0)).toBe(1200);
    expect(Math.max(...store.batches.map((b) => b.length))).toBeLessThanOrEqual(500);
    expect(await store.countExecutions()).toBe(1200);
  });

  it("never makes the caller wait for a slow store", async () => {
    const store = new SpyStore();
    const batcher = new WriteBatcher(store, { flushIntervalMs: 60_000 });
    const release = store.hold();
    batcher.enqueue(put("a"));
    const applying = store.nextApply();
    const flushing = batcher.flush();
    await applying;
    batcher.enqueue(put("b")); // returns while the first batch is still being written
    expect(batcher.pendingOps).toBe(1);
    release();
    await flushing;
    await batcher.close();
    expect(await store.countExecutions()).toBe(2);
  });

  it("puts a failed batch back; a newer write of the same key wins; nothing is lost", async () => {
    const store = new SpyStore();
    const errors: string[] = [];
    const batcher = new WriteBatcher(store, {
      flushIntervalMs: 60_000,
      onError: (error) => errors.push(error.message),
    });
    store.failNext = 1;
    batcher.enqueue(put("a", "running"));
    batcher.enqueue(put("b"));
    expect(await batcher.flush()).toBe(false);
    expect(errors).toEqual(["store unavailable"]);
    expect(batcher.pendingOps).toBe(2);
    batcher.enqueue(put("a", "completed"));
    expect(await batcher.flush()).toBe(true);
    expect((await store.getExecution("a"))?.status).toBe("completed");
    expect(await store.countExecutions()).toBe(2);
    expect(batcher.counters).toMatchObject({ failedFlushes: 1, droppedOps: 0 });
    await batcher.close();
  });

  it("close() writes everything, retrying a failing store, and refuses later writes", async () => {
    const store = new SpyStore();
    const batcher = new WriteBatcher(store, { flushIntervalMs: 1, onError: () => {} });
    const expected = new Map<string, string>();
    for (let i = 0; i < 5000; i++) {
      const id = `e${i % 700}`;
      const status = i % 3 === 0 ? "completed" : "running";
      expected.set(id, status);
      batcher.enqueue(put(id, status));
    }
    store.failNext = 2;
    expect(await batcher.close()).toBe(true);
    expect(await store.countExecutions()).toBe(700);
    for (const [id, status] of expected)
      expect((await store.getExecution(id))?.status).toBe(status);
    expect(() => batcher.enqueue(put("late"))).toThrow(/closed/);
  });

  it("drops the oldest writes past maxPendingOps and counts them", async () => {
    const store = new SpyStore();
    const batcher = new WriteBatcher(store, { flushIntervalMs: 60_000, maxPendingOps: 3 });
    for (let i = 0; i < 5; i++) batcher.enqueue(put(`e${i}`));
    expect(batcher.counters.droppedOps).toBe(2);
    await batcher.close();
    expect((await store.listExecutions({ limit: 10 })).map((r) => r.executionId).sort()).toEqual([
      "e2",
      "e3",
      "e4",
    ]);
  });
});
