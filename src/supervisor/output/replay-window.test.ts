import { describe, expect, it } from "vitest";
import type { OutputChunk } from "./output-chunk.js";
import { ReplayWindow } from "./replay-window.js";

function chunk(seq: number, bytes: number): OutputChunk {
  return { seq, stream: "stdout", raw: Buffer.alloc(bytes, 120), chunkIndex: 0, totalChunks: 1 };
}

describe("ReplayWindow", () => {
  it("is empty at first", () => {
    const window = new ReplayWindow(100);
    expect(window.size).toBe(0);
    expect(window.firstSeq).toBeNull();
    expect(window.get(1)).toBeUndefined();
  });

  it("keeps the newest chunks within its capacity and serves them by seq", () => {
    const window = new ReplayWindow(100);
    for (let seq = 1; seq <= 10; seq++) window.push(chunk(seq, 30));
    expect(window.retainedBytes).toBeLessThanOrEqual(100);
    expect(window.firstSeq).toBe(8);
    expect(window.size).toBe(3);
    expect(window.get(7)).toBeUndefined();
    expect(window.get(8)?.seq).toBe(8);
    expect(window.get(10)?.seq).toBe(10);
    expect(window.get(11)).toBeUndefined();
  });

  it("always keeps the newest chunk, even one larger than the capacity", () => {
    const window = new ReplayWindow(10);
    window.push(chunk(1, 5));
    window.push(chunk(2, 50));
    expect(window.size).toBe(1);
    expect(window.firstSeq).toBe(2);
    expect(window.get(2)?.raw.length).toBe(50);
  });

  it("stays correct across compactions of its array", () => {
    const window = new ReplayWindow(50);
    for (let seq = 1; seq <= 5000; seq++) {
      window.push(chunk(seq, 10));
      expect(window.firstSeq).toBe(Math.max(1, seq - 4));
    }
    for (let seq = 4996; seq <= 5000; seq++) expect(window.get(seq)?.seq).toBe(seq);
    expect(window.get(4995)).toBeUndefined();
  });

  it("clear() empties it", () => {
    const window = new ReplayWindow(50);
    window.push(chunk(1, 10));
    window.clear();
    expect(window.size).toBe(0);
    expect(window.retainedBytes).toBe(0);
    expect(window.firstSeq).toBeNull();
  });

  it("copies each chunk's bytes: the buffer they came in may be reused", () => {
    const window = new ReplayWindow(1000);
    const reused = Buffer.alloc(10);
    for (let seq = 1; seq <= 5; seq++) {
      reused.fill(48 + seq);
      window.push({ seq, stream: "stdout", raw: reused, chunkIndex: 0, totalChunks: 1 });
    }
    reused.fill(0);
    for (let seq = 1; seq <= 5; seq++) {
      expect(window.get(seq)?.raw.toString()).toBe(String(seq).repeat(10));
    }
  });

  it("serves the right bytes through growth and wrap-around, within its capacity", () => {
    const capacity = 200 * 1024;
    const window = new ReplayWindow(capacity);
    const sizes = [1, 700, 64 * 1024, 5, 30_000, 12, 64 * 1024, 9_999, 333, 48 * 1024];
    const content = (seq: number, bytes: number) => Buffer.alloc(bytes, `${seq % 251}|`);
    let held = 0;
    let pushed = 0;
    for (let seq = 1; seq <= 3000; seq++) {
      const bytes = sizes[seq % sizes.length] as number;
      pushed += bytes;
      window.push({
        seq,
        stream: "stdout",
        raw: content(seq, bytes),
        chunkIndex: 0,
        totalChunks: 1,
      });
      expect(window.retainedBytes).toBeLessThanOrEqual(capacity);
      // Whatever the window says it holds is intact, and it holds at least the newest chunks
      // that fit within the capacity minus one chunk's worth of wrap-around.
      held = 0;
      for (let s = seq; s >= (window.firstSeq ?? seq + 1); s--) {
        const raw = window.get(s)?.raw as Buffer;
        expect(raw.equals(content(s, sizes[s % sizes.length] as number))).toBe(true);
        held += raw.length;
      }
      expect(held).toBe(window.retainedBytes);
      expect(held).toBeGreaterThanOrEqual(Math.min(pushed, capacity - 2 * 64 * 1024));
    }
    const ring = (window as unknown as { ring: Buffer }).ring;
    expect(ring.length).toBeLessThanOrEqual(capacity + 64 * 1024);
  });
});
