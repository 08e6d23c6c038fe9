import { describe, expect, it } from "vitest";
import { ByteSlabs, type SlabRange } from "./byte-slabs.js";

const options = { minSlabBytes: 4096, maxSlabBytes: 256 * 1024, maxFreeSlabs: 4 };

describe("ByteSlabs", () => {
  it("hands out ranges that do not overlap while they are outstanding", () => {
    const slabs = new ByteSlabs(options);
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
    const slabs = new ByteSlabs(options);
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

  it("counts every consumer of a range", () => {
    const slabs = new ByteSlabs(options);
    const first = slabs.reserve(10);
    const second = slabs.reserve(10);
    expect(second.slab).toBe(first.slab);
    expect(second.start).toBe(10);
    slabs.retain(first);
    slabs.release(first);
    slabs.release(second);
    expect(first.slab.outstanding).toBe(10);
    slabs.release(first);
    expect(first.slab.outstanding).toBe(0);
    expect(slabs.reserve(10).start).toBe(0); // nothing outstanding: the slab starts over
  });
});
