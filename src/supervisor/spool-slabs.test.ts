import { describe, expect, it } from "vitest";
import { type SlabRange, SpoolSlabs } from "./spool-slabs.js";

describe("SpoolSlabs", () => {
  it("hands out ranges that do not overlap while they are outstanding", () => {
    const slabs = new SpoolSlabs();
    const ranges: SlabRange[] = [];
    for (let i = 0; i < 200; i++) {
      const range = slabs.reserve(1 + ((i * 4111) % 70_000));
      range.slab.buffer.fill(i % 256, range.start, range.end);
      ranges.push(range);
    }
    ranges.forEach((range, i) => {
      const bytes = range.slab.buffer.subarray(range.start, range.end);
      expect(bytes.every((byte) => byte === i % 256)).toBe(true);
    });
  });

  it("reuses slabs once their bytes are released: memory follows the backlog, not the total", () => {
    const slabs = new SpoolSlabs();
    const seen = new Set<Buffer>();
    let waiting: SlabRange[] = [];
    for (let i = 0; i < 5000; i++) {
      const range = slabs.reserve(16 * 1024);
      seen.add(range.slab.buffer);
      waiting.push(range);
      if (waiting.length === 32) {
        for (const written of waiting) slabs.release(written);
        waiting = [];
      }
    }
    // 80 MB passed through; the backlog never exceeded 32 × 16 KiB.
    const bytes = [...seen].reduce((sum, buffer) => sum + buffer.length, 0);
    expect(bytes).toBeLessThan(4 * 1024 * 1024);
  });
});
