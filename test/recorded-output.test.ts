/**
 * `history.get`'s output from spool files: the documented head + tail around the bytes left
 * out, whatever the files' layout (one large file, head and tail in the same file), and sized by
 * output bytes, not by the files' record headers.
 */
import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readRecordedOutput } from "../src/store/recorded-output.js";
import { Spool } from "../src/supervisor/spool/spool.js";
import { executionRecord, tempDir } from "./helpers/store-fixtures.js";

describe("recorded output read from spool files", () => {
  let dir: { path: string; remove(): void };
  beforeEach(() => {
    dir = tempDir("cc-recorded-output-");
  });
  afterEach(() => dir.remove());

  /** Spools `text` in records of `recordBytes` into files of `segmentBytes`; its record. */
  async function spooled(text: string, segmentBytes: number, recordBytes = 1000) {
    const spoolDir = `${dir.path}/spool-${segmentBytes}-${text.length}`;
    const spool = new Spool({ dir: spoolDir, capBytes: 1 << 30, segmentBytes });
    const bytes = Buffer.from(text);
    for (let at = 0, seq = 1; at < bytes.length; at += recordBytes, seq++) {
      const raw = bytes.subarray(at, at + recordBytes);
      spool.append({ seq, stream: "stdout", raw, chunkIndex: 0, totalChunks: 1 });
    }
    await spool.finish();
    return executionRecord({
      executionId: "x",
      spoolDir,
      stdoutBytes: bytes.length,
      stderrBytes: 0,
    });
  }

  /** `bytes` ASCII letters with a period (25) that no cut position lines up with. */
  const text = (bytes: number) =>
    "abcdefghijklmnopqrstuvwxy".repeat(Math.ceil(bytes / 25)).slice(0, bytes);

  it("cuts an output held in one file to its head and tail, counting what is left out", async () => {
    const whole = text(64_000);
    const record = await spooled(whole, 1 << 20);
    const output = await readRecordedOutput(record, 16_000);
    expect(output.head).toBe(whole.slice(0, 8_000));
    expect(output.tail).toBe(whole.slice(-8_000));
    expect(output.omittedBytes).toBe(64_000 - 16_000);
  });

  it("counts what is left out of a running execution's output too (files between not read)", async () => {
    const whole = text(100_000);
    const record = await spooled(whole, 10_000);
    // Running: its byte counts are not final, so only the files can say how much is left out.
    const running = { ...record, endedAtMs: null, stdoutBytes: 0 };
    const output = await readRecordedOutput(running, 20_000);
    expect(output.head).toBe(whole.slice(0, 10_000));
    expect(output.tail).toBe(whole.slice(-10_000));
    expect(output.omittedBytes).toBe(80_000);
  });

  it("takes the tail from the head's files when the last files hold less than half", async () => {
    const whole = text(30_000);
    // Files of ~10 KB: the head reads the first two, the last holds less than the tail wants.
    const record = await spooled(whole, 10_000);
    const output = await readRecordedOutput(record, 25_000);
    expect(output.head).toBe(whole.slice(0, 12_500));
    expect(output.tail).toBe(whole.slice(-12_500));
    expect(output.omittedBytes).toBe(5_000);
  });

  it("returns an output of exactly max bytes whole: record headers do not count", async () => {
    const whole = text(16_000);
    const record = await spooled(whole, 1 << 20, 100);
    const output = await readRecordedOutput(record, 16_000);
    expect(output.head).toBe(whole);
    expect(output.tail).toBe("");
    expect(output.omittedBytes).toBe(0);
  });

  it("a 16 MiB output in one 16 MiB file: whole at max 16 MiB, head and tail at the default", async () => {
    const MiB = 1024 * 1024;
    const whole = text(16 * MiB);
    const record = await spooled(whole, 32 * MiB, 64 * 1024);
    // Compared by digest: a failing 16 MiB string comparison would print all of it.
    const digest = (value: string) => createHash("sha256").update(value).digest("hex");
    const all = await readRecordedOutput(record, 16 * MiB);
    expect([all.head.length, all.tail, all.omittedBytes]).toEqual([16 * MiB, "", 0]);
    expect(digest(all.head)).toBe(digest(whole));
    const cut = await readRecordedOutput(record); // the 1 MiB default
    expect([cut.head.length, cut.tail.length, cut.omittedBytes]).toEqual([
      MiB / 2,
      MiB / 2,
      15 * MiB,
    ]);
    expect(digest(cut.head)).toBe(digest(whole.slice(0, MiB / 2)));
    expect(digest(cut.tail)).toBe(digest(whole.slice(-MiB / 2)));
  });

  it("never splits a UTF-8 character at either cut", async () => {
    const whole = "é".repeat(10_000); // 20,000 bytes
    const record = await spooled(whole, 1 << 20, 999);
    const output = await readRecordedOutput(record, 5_001);
    expect(output.head).toBe("é".repeat(1_250));
    expect(output.tail).toBe("é".repeat(1_250));
    expect(output.omittedBytes).toBe(20_000 - 5_000);
  });
});
