import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { OutputStream } from "../../protocol/notifications.js";
import { Spool, type SpoolRecord } from "./spool.js";
import { parseRecords, RECORD_HEADER_BYTES } from "./spool-segment.js";

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "cce-spool-"));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

/** Reads the spool from seq 1 to its end the way a subscriber does: one read after another. */
async function readAll(spool: Spool, maxBytes = 1000) {
  const records: SpoolRecord[] = [];
  const gaps: Array<{ from: number; to: number }> = [];
  let from = 1;
  for (;;) {
    const read = await spool.read(from, maxBytes);
    if (read.gap) gaps.push(read.gap);
    records.push(...read.records);
    const last = read.records.at(-1);
    if (last) from = last.seq + 1;
    else if (read.gap) from = read.gap.to + 1;
    else return { records, gaps };
  }
}

/** Files under `dir` this process still has open (deleted ones included). */
function openDescriptorsUnder(dir: string): string[] {
  const targets: string[] = [];
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(dir)) targets.push(target);
    } catch {
      // closed meanwhile
    }
  }
  return targets;
}

/** A whole-read chunk (one notification held all of its read). */
function chunk(seq: number, stream: OutputStream, raw: Buffer): SpoolRecord {
  return { seq, stream, raw, chunkIndex: 0, totalChunks: 1 };
}

function payload(seq: number, bytes: number): Buffer {
  return Buffer.alloc(bytes, `${seq % 10}`);
}

describe("Spool", () => {
  it("reads into a scratch buffer the caller reuses, as far as it holds whole records", async () => {
    const spool = new Spool({ dir: join(root, "s"), capBytes: 1 << 30, segmentBytes: 4000 });
    const expected: Buffer[] = [];
    for (let seq = 1; seq <= 300; seq++) {
      const raw = payload(seq, 1 + ((seq * 53) % 400));
      spool.append(chunk(seq, "stdout", raw));
      expected.push(raw);
    }
    await spool.flushed();
    const scratch = Buffer.alloc(1000);
    const received: Buffer[] = [];
    let from = 1;
    for (;;) {
      const { records } = await spool.read(from, 1 << 20, scratch);
      if (records.length === 0) break;
      for (const record of records) {
        expect(record.raw.buffer).toBe(scratch.buffer); // no buffer of its own
        received.push(Buffer.from(record.raw)); // copied before the next read reuses scratch
      }
      from = (records.at(-1)?.seq ?? 0) + 1;
    }
    expect(received).toEqual(expected);
    await spool.finish();
  });

  it("tells a paused producer when the backlog is down to a mark, before all is written", async () => {
    const spool = new Spool({ dir: join(root, "s"), capBytes: 1 << 30, segmentBytes: 8 << 20 });
    // The first append goes to the disk at once; the rest queue behind it as one write.
    spool.append(chunk(1, "stdout", payload(1, 32 * 1024)));
    const inFlight = spool.backlogBytes;
    for (let seq = 2; seq <= 64; seq++) spool.append(chunk(seq, "stdout", payload(seq, 32 * 1024)));
    const queued = spool.backlogBytes - inFlight;
    let flushed = false;
    void spool.flushed().then(() => {
      flushed = true;
    });
    await spool.backlogAtMost(queued);
    // Resolved once the first write landed, while the queued one is still on its way.
    expect(spool.backlogBytes).toBe(queued);
    expect(flushed).toBe(false);
    await spool.flushed();
    expect(spool.backlogBytes).toBe(0);
    await expect(spool.backlogAtMost(0)).resolves.toBeUndefined();
    expect((await readAll(spool, 1 << 20)).records).toHaveLength(64);
    await spool.finish();
  });

  it("copies what it appends: the buffer a chunk came in may be reused before the write", async () => {
    const spool = new Spool({ dir: join(root, "s"), capBytes: 1 << 30, segmentBytes: 1 << 20 });
    const reused = Buffer.alloc(70_000);
    const expected: SpoolRecord[] = [];
    for (let seq = 1; seq <= 300; seq++) {
      const bytes = 1 + ((seq * 7919) % reused.length);
      reused.fill(`${seq % 10}`, 0, bytes);
      spool.append(chunk(seq, "stdout", reused.subarray(0, bytes)));
      expected.push({
        seq,
        stream: "stdout",
        raw: payload(seq, bytes),
        chunkIndex: 0,
        totalChunks: 1,
      });
      if (seq % 50 === 0) await spool.flushed();
    }
    reused.fill("x");
    await spool.flushed();
    const { records } = await readAll(spool, 1 << 20);
    expect(records.map((r) => r.seq)).toEqual(expected.map((r) => r.seq));
    records.forEach((record, index) => {
      expect(record.raw.equals((expected[index] as SpoolRecord).raw)).toBe(true);
    });
    await spool.finish();
  });

  it("reads back every record, in order, across many segments, with how its read was split", async () => {
    const spool = new Spool({ dir: join(root, "s"), capBytes: 1 << 30, segmentBytes: 1000 });
    const expected: SpoolRecord[] = [];
    for (let seq = 1; seq <= 200; seq++) {
      const stream = seq % 3 === 0 ? "stderr" : "stdout";
      const raw = payload(seq, 1 + ((seq * 37) % 150));
      const totalChunks = 1 + (seq % 4);
      const chunkIndex = seq % totalChunks;
      spool.append({ seq, stream, raw, chunkIndex, totalChunks });
      expected.push({ seq, stream, raw, chunkIndex, totalChunks });
      // Let some writes land between appends, as live output does.
      if (seq % 17 === 0) await spool.flushed();
    }
    await spool.flushed();
    expect(spool.backlogBytes).toBe(0);
    expect(readdirSync(join(root, "s")).length).toBeGreaterThan(10);
    const { records, gaps } = await readAll(spool);
    expect(gaps).toEqual([]);
    expect(records.map((r) => r.seq)).toEqual(expected.map((r) => r.seq));
    for (const [i, record] of records.entries()) {
      expect(record.stream).toBe(expected[i]?.stream);
      expect(record.raw.equals(expected[i]?.raw as Buffer)).toBe(true);
      expect([record.chunkIndex, record.totalChunks]).toEqual([
        expected[i]?.chunkIndex,
        expected[i]?.totalChunks,
      ]);
    }
    expect(spool.capped).toBe(false);
    expect(spool.error).toBeNull();
    await spool.finish();
  });

  it("reads from any seq, also mid-segment and with a record larger than a read batch", async () => {
    const spool = new Spool({ dir: join(root, "s"), capBytes: 1 << 30, segmentBytes: 4 << 20 });
    spool.append(chunk(1, "stdout", payload(1, 10)));
    spool.append(chunk(2, "stdout", payload(2, 1536 * 1024)));
    spool.append(chunk(3, "stderr", payload(3, 10)));
    await spool.flushed();
    const read = await spool.read(2, 10);
    expect(read.records[0]?.seq).toBe(2);
    expect(read.records[0]?.raw.length).toBe(1536 * 1024);
    const third = await spool.read(3, 1 << 20);
    expect(third.records.map((r) => [r.seq, r.stream])).toEqual([[3, "stderr"]]);
    await spool.finish();
  });

  it("past the cap keeps the head and the tail and reports the gap between", async () => {
    const segmentBytes = 1000;
    const capBytes = 4000;
    const spool = new Spool({ dir: join(root, "s"), capBytes, segmentBytes });
    const recordBytes = 100 - RECORD_HEADER_BYTES; // 100 bytes a record, 10 a segment
    for (let seq = 1; seq <= 500; seq++) {
      spool.append(chunk(seq, "stdout", payload(seq, recordBytes)));
      if (seq % 5 === 0) await spool.flushed();
    }
    await spool.flushed();
    expect(spool.capped).toBe(true);
    const files = readdirSync(join(root, "s"));
    expect(files.length * segmentBytes).toBeLessThanOrEqual(capBytes + 2 * segmentBytes);
    const { records, gaps } = await readAll(spool);
    expect(gaps).toHaveLength(1);
    const gap = gaps[0] as { from: number; to: number };
    const seqs = records.map((r) => r.seq);
    // The head (first half of the cap) is whole, from seq 1 up to the gap.
    expect(seqs.slice(0, gap.from - 1)).toEqual(
      Array.from({ length: gap.from - 1 }, (_, i) => i + 1),
    );
    expect(gap.from - 1).toBeGreaterThanOrEqual(capBytes / 2 / 100);
    // The tail runs without holes from after the gap to the last record.
    const tail = seqs.slice(gap.from - 1);
    expect(tail[0]).toBe(gap.to + 1);
    expect(tail.at(-1)).toBe(500);
    expect(tail).toEqual(Array.from({ length: tail.length }, (_, i) => gap.to + 1 + i));
    for (const record of records)
      expect(record.raw.equals(payload(record.seq, recordBytes))).toBe(true);
    await spool.finish();
  });

  it("enforces the cap also after a burst of appends written in one go", async () => {
    const spool = new Spool({ dir: join(root, "s"), capBytes: 4000, segmentBytes: 1000 });
    for (let seq = 1; seq <= 500; seq++) spool.append(chunk(seq, "stdout", payload(seq, 91)));
    await spool.finish();
    // Dropped segment files are deleted in the background; poll for it.
    const deadline = Date.now() + 5000;
    while (readdirSync(join(root, "s")).length > 6 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(readdirSync(join(root, "s")).length).toBeLessThanOrEqual(6);
    const { records, gaps } = await readAll(spool);
    expect(gaps).toHaveLength(1);
    expect(records.at(-1)?.seq).toBe(500);
  });

  it("reports a write error via `error` instead of throwing, and stops spooling", async () => {
    const file = join(root, "not-a-directory");
    writeFileSync(file, "");
    const spool = new Spool({ dir: join(file, "spool"), capBytes: 1 << 30, segmentBytes: 1000 });
    expect(() => spool.append(chunk(1, "stdout", payload(1, 10)))).not.toThrow();
    await spool.flushed();
    expect(spool.error).toMatch(/ENOTDIR|not a directory/i);
    expect(spool.backlogBytes).toBe(0);
    expect(() => spool.append(chunk(2, "stdout", payload(2, 10)))).not.toThrow();
    await expect(spool.flushed()).resolves.toBeUndefined();
    await expect(spool.read(1, 1000)).resolves.toMatchObject({ records: [] });
    await expect(spool.finish()).resolves.toBeUndefined();
  });

  it("remove() right after a burst of appends leaves no file and no open descriptor", async () => {
    const dir = join(root, "s");
    for (let round = 0; round < 20; round++) {
      const spool = new Spool({ dir, capBytes: 1 << 30, segmentBytes: 4096 });
      for (let seq = 1; seq <= 200; seq++) spool.append(chunk(seq, "stdout", payload(seq, 500)));
      await spool.remove();
      expect(existsSync(dir)).toBe(false);
      expect(openDescriptorsUnder(dir)).toEqual([]);
    }
  });

  it("remove() deletes its files", async () => {
    const dir = join(root, "s");
    const spool = new Spool({ dir, capBytes: 1 << 30, segmentBytes: 1000 });
    spool.append(chunk(1, "stdout", payload(1, 10)));
    await spool.flushed();
    await spool.remove();
    expect(() => readdirSync(dir)).toThrow();
  });
});

describe("spool files written before records kept their split", () => {
  /** The old record layout: `[seq u32][stream u8: 0 stdout, 1 stderr][length u32][bytes]`. */
  function legacyRecord(seq: number, stream: 0 | 1, text: string): Buffer {
    const header = Buffer.alloc(9);
    header.writeUInt32LE(seq, 0);
    header.writeUInt8(stream, 4);
    header.writeUInt32LE(Buffer.byteLength(text), 5);
    return Buffer.concat([header, Buffer.from(text)]);
  }

  it("still parse, as whole reads, stream and bytes intact", () => {
    const file = Buffer.concat([
      legacyRecord(1, 0, "out\n"),
      legacyRecord(2, 1, "err\n"),
      legacyRecord(3, 0, ""),
      legacyRecord(4, 0, "a"),
    ]);
    const { records, usedBytes } = parseRecords(file);
    expect(usedBytes).toBe(file.length);
    expect(
      records.map((r) => [r.seq, r.stream, r.raw.toString(), r.chunkIndex, r.totalChunks]),
    ).toEqual([
      [1, "stdout", "out\n", 0, 1],
      [2, "stderr", "err\n", 0, 1],
      [3, "stdout", "", 0, 1],
      [4, "stdout", "a", 0, 1],
    ]);
    // A record cut short (a file still being written) is left for the next read.
    expect(parseRecords(file.subarray(0, file.length - 1)).records).toHaveLength(3);
  });
});
