import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { OutputChunk, OutputEncoding } from "../supervisor/output/output-chunk.js";
import { outputFrame, releaseFrame } from "./output-frame.js";

let seq = 0;
function chunk(raw: Buffer, stream: "stdout" | "stderr" = "stdout"): OutputChunk {
  return { seq: ++seq, stream, raw, chunkIndex: 1, totalChunks: 3 };
}

/** What JSON.stringify makes of the notification the frame carries. */
function expected(id: string, c: OutputChunk, encoding: OutputEncoding): string {
  return JSON.stringify({
    jsonrpc: "2.0",
    method: "process.output",
    params: {
      execution_id: id,
      seq: c.seq,
      type: c.stream,
      data: c.raw.toString(encoding),
      truncated: false,
      chunk_index: c.chunkIndex,
      total_chunks: c.totalChunks,
      ...(encoding === "base64" ? { encoding: "base64" } : {}),
    },
  });
}

function frameText(id: string, c: OutputChunk, encoding: OutputEncoding): string {
  const frame = outputFrame(JSON.stringify(id), c, encoding);
  const text = frame.bytes.toString("utf8");
  releaseFrame(frame);
  return text;
}

describe("outputFrame", () => {
  const samples: Record<string, Buffer> = {
    "line-heavy text": Buffer.from("héllo wörld ✓ 🚀\nline two\n\n".repeat(500)),
    "text needing escapes": Buffer.from('tab\there "quoted" back\\slash \u0001 end\n'),
    "invalid UTF-8": Buffer.from([0x61, 0xff, 0x0a, 0xc3, 0x28, 0xe2, 0x82]),
    "random bytes": randomBytes(5000),
    empty: Buffer.alloc(0),
  };

  for (const [label, raw] of Object.entries(samples)) {
    for (const encoding of ["utf8", "base64"] as const) {
      it(`is byte for byte what JSON.stringify gives: ${label}, ${encoding}`, () => {
        for (const id of ["exec-1", 'ünïcødé "id"']) {
          const c = chunk(raw, seq % 2 === 0 ? "stdout" : "stderr");
          expect(frameText(id, c, encoding)).toBe(expected(id, c, encoding));
        }
      });
    }
  }

  it("shares one serialisation of a chunk among its subscribers", () => {
    const c = chunk(Buffer.from("shared\n"));
    const first = outputFrame('"e"', c, "utf8");
    const second = outputFrame('"e"', c, "utf8");
    expect(second.bytes).toBe(first.bytes);
    releaseFrame(first);
    releaseFrame(second);
  });

  it("never reuses the bytes of a frame still being sent", () => {
    const held = Array.from({ length: 50 }, (_, i) => {
      const c = chunk(Buffer.from(`frame ${i}\n`.repeat(1000 + i)));
      return { c, frame: outputFrame('"e"', c, "utf8") };
    });
    // Frames released meanwhile free their slabs for new ones; held frames stay intact.
    for (let i = 0; i < 200; i++) {
      const frame = outputFrame('"e"', chunk(Buffer.from(`other ${i}\n`.repeat(3000))), "utf8");
      releaseFrame(frame);
    }
    for (const { c, frame } of held) {
      expect(frame.bytes.toString()).toBe(expected("e", c, "utf8"));
      releaseFrame(frame);
    }
  });
});
