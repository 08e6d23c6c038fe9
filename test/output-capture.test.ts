import { describe, expect, it } from "vitest";
import { OutputCapture } from "../src/supervisor/output/output-capture.js";
import type { OutputChunk } from "../src/supervisor/output/output-chunk.js";

let seq = 0;
function chunk(data: string, encoding: "utf8" | "base64" = "utf8"): OutputChunk {
  const raw = Buffer.from(data, encoding === "utf8" ? "utf8" : "base64");
  return { seq: ++seq, stream: "stdout", raw, chunkIndex: 0, totalChunks: 1 };
}

describe("output capture (head and tail for history)", () => {
  it("keeps small output whole in the head", () => {
    const capture = new OutputCapture("utf8", 100, 100);
    capture.add(chunk("hello\n"));
    capture.add(chunk("world\n"));
    expect(capture.result()).toEqual({
      encoding: "utf8",
      head: "hello\nworld\n",
      tail: "",
      omittedBytes: 0,
    });
  });

  it("keeps exactly the first and last N bytes of large output, and counts the rest", () => {
    const capture = new OutputCapture("utf8", 10, 10);
    const text = Array.from({ length: 100 }, (_, i) => String(i % 10)).join("");
    for (let i = 0; i < text.length; i += 7) capture.add(chunk(text.slice(i, i + 7)));
    expect(capture.result()).toEqual({
      encoding: "utf8",
      head: text.slice(0, 10),
      tail: text.slice(-10),
      omittedBytes: 80,
    });
  });

  it("never splits a UTF-8 character at either cut", () => {
    const capture = new OutputCapture("utf8", 4, 4);
    capture.add(chunk("aéé")); // 1 + 2 + 2 bytes: the head cut at 4 would split the second é
    capture.add(chunk("xxxxxxxx"));
    capture.add(chunk("€€")); // 3 + 3 bytes: the tail cut would split the first €
    const result = capture.result();
    expect(result.head).toBe("aé");
    expect(result.tail).toBe("€");
    expect(result.omittedBytes).toBe(5 + 8 + 6 - 3 - 3);
  });

  it("keeps base64 output as base64 of the raw bytes", () => {
    const capture = new OutputCapture("base64", 4, 4);
    const raw = Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    capture.add(chunk(raw.subarray(0, 5).toString("base64"), "base64"));
    capture.add(chunk(raw.subarray(5).toString("base64"), "base64"));
    const result = capture.result();
    expect(Buffer.from(result.head, "base64")).toEqual(raw.subarray(0, 4));
    expect(Buffer.from(result.tail, "base64")).toEqual(raw.subarray(8));
    expect(result.omittedBytes).toBe(4);
  });

  it("copies what it keeps: the chunk's buffer is reused after the call", () => {
    const capture = new OutputCapture("utf8", 8, 8);
    const reused = Buffer.from("head-12\n");
    for (const text of ["head-12\n", "middle\n", "tail-34\n"]) {
      const raw = reused.subarray(0, reused.write(text));
      capture.add({ seq: ++seq, stream: "stdout", raw, chunkIndex: 0, totalChunks: 1 });
    }
    reused.fill("z");
    const result = capture.result();
    expect(result.head).toBe("head-12\n");
    expect(result.tail).toBe("tail-34\n");
    expect(result.omittedBytes).toBe(7);
  });

  it("stays bounded however much passes", () => {
    const capture = new OutputCapture("utf8", 1024, 1024);
    for (let i = 0; i < 100_000; i++) capture.add(chunk(`${String(i).padStart(10, "0")}\n`));
    const internal = capture as unknown as { head: Buffer; tail: { ring: Buffer } };
    expect(internal.head.length).toBeLessThanOrEqual(1024 + 3);
    expect(internal.tail.ring.length).toBe(1024);
    const result = capture.result();
    expect(result.head.startsWith("0000000000\n0000000001\n")).toBe(true);
    expect(result.tail.endsWith("0000099998\n0000099999\n")).toBe(true);
    expect(Buffer.byteLength(result.tail)).toBe(1024);
    expect(result.omittedBytes).toBe(100_000 * 11 - 2048);
  });

  it("keeps the tail by reference when the chunks outlive it, and gives the same result", () => {
    const byCopy = new OutputCapture("utf8", 1000, 1000);
    const byReference = new OutputCapture("utf8", 1000, 1000, 8 * 1024 * 1024);
    for (let i = 0; i < 5000; i++) {
      const c = chunk(`line ${i} ${"é".repeat(i % 7)}\n`);
      byCopy.add(c);
      byReference.add(c);
    }
    const internal = byReference as unknown as { tail: { pieces?: Buffer[] } };
    expect(internal.tail.pieces).toBeDefined(); // references, not a ring
    expect(byReference.result()).toEqual(byCopy.result());
  });

  it("holds nothing once its result is taken", () => {
    const capture = new OutputCapture("utf8", 100, 100, 8 * 1024 * 1024);
    for (let i = 0; i < 100; i++) capture.add(chunk(`${i}\n`));
    const first = capture.result();
    const internal = capture as unknown as { head: Buffer | null; tail: { bytes(): Buffer } };
    expect(internal.head).toBeNull();
    expect(internal.tail.bytes().length).toBe(0);
    expect(capture.result()).toBe(first);
  });
});
