/**
 * One spool file. Records are `[seq u32][stream u8][length u32][bytes]`; a sparse index of
 * (seq, offset) pairs lets a reader start near any seq without scanning the file.
 */
import type { FileHandle } from "node:fs/promises";
import type { OutputStream } from "../protocol/notifications.js";

export const RECORD_HEADER_BYTES = 9;
const INDEX_EVERY_BYTES = 256 * 1024;

export interface SpoolRecord {
  seq: number;
  stream: OutputStream;
  raw: Buffer;
}

export class SpoolSegment {
  /** Bytes assigned to this segment (written or queued). */
  plannedBytes = 0;
  /** Bytes on disk, readable. */
  writtenBytes = 0;
  firstSeq = -1;
  lastSeq = -1;
  handle: FileHandle | null = null;
  sealed = false;
  deleted = false;
  private readonly index: Array<{ seq: number; offset: number }> = [];
  private lastIndexedOffset = Number.NEGATIVE_INFINITY;

  constructor(
    readonly number: number,
    readonly path: string,
  ) {}

  /** Assigns the record's place in this file. */
  plan(seq: number, length: number): void {
    const offset = this.plannedBytes;
    if (this.firstSeq < 0) this.firstSeq = seq;
    this.lastSeq = seq;
    if (offset - this.lastIndexedOffset >= INDEX_EVERY_BYTES) {
      this.index.push({ seq, offset });
      this.lastIndexedOffset = offset;
    }
    this.plannedBytes += RECORD_HEADER_BYTES + length;
  }

  /** Offset of the last indexed record at or before `seq`. */
  offsetBefore(seq: number): number {
    let offset = 0;
    for (const entry of this.index) {
      if (entry.seq > seq) break;
      offset = entry.offset;
    }
    return offset;
  }
}

/** Writes a record's header at `offset` of `target`. */
export function writeRecordHeader(
  target: Buffer,
  offset: number,
  seq: number,
  stream: OutputStream,
  length: number,
): void {
  target.writeUInt32LE(seq, offset);
  target.writeUInt8(stream === "stdout" ? 0 : 1, offset + 4);
  target.writeUInt32LE(length, offset + 5);
}

/** Parses whole records from `buffer`; returns them and how many bytes they used. */
export function parseRecords(buffer: Buffer): { records: SpoolRecord[]; usedBytes: number } {
  const records: SpoolRecord[] = [];
  let offset = 0;
  while (buffer.length - offset >= RECORD_HEADER_BYTES) {
    const length = buffer.readUInt32LE(offset + 5);
    const end = offset + RECORD_HEADER_BYTES + length;
    if (end > buffer.length) break;
    records.push({
      seq: buffer.readUInt32LE(offset),
      stream: buffer.readUInt8(offset + 4) === 0 ? "stdout" : "stderr",
      raw: buffer.subarray(offset + RECORD_HEADER_BYTES, end),
    });
    offset = end;
  }
  return { records, usedBytes: offset };
}
