import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { chunkText, type OutputChunk } from "../output/output-chunk.js";
import { Spool } from "../spool/spool.js";
import { ExecutionOutput, type OutputSettings } from "./execution-output.js";

const TAIL_FLUSH_MS = 10;

function output(settings: Partial<OutputSettings> = {}, spool: Spool | null = null) {
  const chunks: OutputChunk[] = [];
  const pressure = { paused: 0, resumed: 0 };
  const out = new ExecutionOutput(
    {
      encoding: "utf8",
      windowBytes: 1 << 20,
      tailFlushMs: TAIL_FLUSH_MS,
      spoolBacklogLimitBytes: 1 << 20,
      ...settings,
    },
    spool,
    (chunk) => chunks.push(chunk),
    { pause: () => pressure.paused++, resume: () => pressure.resumed++ },
  );
  return { out, chunks, pressure };
}

const text = (chunks: OutputChunk[]) => chunks.map((c) => c.raw.toString()).join("");

describe("ExecutionOutput", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("coalesces the reads of one event-loop turn into one chunk per stream", async () => {
    const { out, chunks } = output();
    for (let i = 0; i < 100; i++) out.push("stdout", Buffer.from(`line ${i}\n`));
    out.push("stderr", Buffer.from("oops\n"));
    await new Promise((resolve) => setImmediate(resolve));
    expect(chunks.map((c) => [c.seq, c.stream])).toEqual([
      [1, "stdout"],
      [2, "stderr"],
    ]);
    expect(out.bytes).toEqual({
      stdout: Buffer.byteLength(text([chunks[0] as OutputChunk])),
      stderr: 5,
    });
    expect(out.lastSeq).toBe(2);
    expect(out.window.get(1)).toBe(chunks[0]);
  });

  it("sends a partial last line after tailFlushMs", () => {
    vi.useFakeTimers({ toFake: ["setImmediate", "setTimeout", "clearTimeout"] });
    const { out, chunks } = output();
    out.push("stdout", Buffer.from("done\nprompt> "));
    vi.advanceTimersToNextTimer(); // the setImmediate flush
    expect(text(chunks)).toBe("done\n");
    vi.advanceTimersByTime(TAIL_FLUSH_MS);
    expect(text(chunks)).toBe("done\nprompt> ");
  });

  it("sends a steady trickle of partial output within tailFlushMs, not when a newline comes", () => {
    // A progress indicator: a dot every few ms, no newline for a long time.
    vi.useFakeTimers({ toFake: ["setImmediate", "setTimeout", "clearTimeout"] });
    const { out, chunks } = output();
    for (let i = 0; i < 100; i++) {
      out.push("stdout", Buffer.from("."));
      vi.advanceTimersByTime(TAIL_FLUSH_MS / 2);
    }
    expect(chunks.length).toBeGreaterThanOrEqual(100 / 2 / 2);
    expect(text(chunks)).toBe(".".repeat(text(chunks).length));
    out.finish();
    expect(text(chunks)).toBe(".".repeat(100));
  });

  it("finish() sends everything held, and nothing is taken after it", async () => {
    const { out, chunks } = output();
    out.push("stdout", Buffer.from("é").subarray(0, 1));
    out.finish();
    expect(Buffer.concat(chunks.map((c) => c.raw)).length).toBe(1);
    out.push("stdout", Buffer.from("late\n"));
    await new Promise((resolve) => setImmediate(resolve));
    expect(chunks).toHaveLength(1);
  });

  it("encodes base64 chunks that stay within 64 KiB", async () => {
    const { out, chunks } = output({ encoding: "base64" });
    const bytes = Buffer.alloc(200_000, 0xff);
    out.push("stdout", bytes);
    out.finish();
    for (const chunk of chunks) {
      expect(chunkText(chunk, "base64").length).toBeLessThanOrEqual(64 * 1024);
    }
    expect(Buffer.concat(chunks.map((c) => c.raw)).equals(bytes)).toBe(true);
  });

  it("stops reading the child while the spool is behind, and resumes once it caught up", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cce-output-"));
    try {
      const spool = new Spool({ dir, capBytes: 1 << 30, segmentBytes: 1 << 20 });
      const { out, pressure } = output({ spoolBacklogLimitBytes: 1000 }, spool);
      out.push("stdout", Buffer.alloc(5000, "a"));
      out.finish();
      expect(pressure.paused).toBe(1);
      await spool.flushed();
      await new Promise((resolve) => setImmediate(resolve));
      expect(pressure.resumed).toBe(1);
      await spool.finish();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
