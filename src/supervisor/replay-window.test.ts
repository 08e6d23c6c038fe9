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
});
