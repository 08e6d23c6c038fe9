/**
 * One spool file. Records are `[seq u32][flags u8][length u32][chunkIndex u16][totalChunks u16]
 * [bytes]` (little-endian): flags bit 0 is the stream (1 = stderr), bit 7 marks this header, so a
 * replayed chunk says how its read was split, as it did live. Files written before the split was
 * kept have 9-byte headers `[seq][stream u8][length]`; `parseRecords` reads both (history reads
 * old spool files). A sparse index of (seq, offset) pairs lets a reader start near any seq
 * without scanning the file.
 */
import type { FileHandle } from "node:fs/promises";
import type { OutputStream } from "../../protocol/notifications.js";

export const RECORD_HEADER_BYTES = 13;
const LEGACY_HEADER_BYTES = 9;
const SPLIT_HEADER_FLAG = 0x80;
const STDERR_FLAG = 0x01;
const MAX_U16 = 0xffff;
const INDEX_EVERY_BYTES = 256 * 1024;

export interface SpoolRecord {
  seq: number;
  stream: OutputStream;
  raw: Buffer;
  chunkIndex: number;
  totalChunks: number;
}

export class SpoolSegment {
  /** Bytes assigned to this segment (written or queued). */
  plannedBytes = 0;
  /** Bytes on disk, readable. */
  writtenBytes = 0;
  firstSeq = -1;
  lastSeq = -1;
  handle: FileHandle | null = null;
  /** Set once the file is being closed for good; resolves when it is. */
  sealed: Promise<void> | null = null;
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

/** Writes the header of `record` at `offset` of `target`. */
export function writeRecordHeader(target: Buffer, offset: number, record: SpoolRecord): void {
  target.writeUInt32LE(record.seq, offset);
  target.writeUInt8(SPLIT_HEADER_FLAG | (record.stream === "stderr" ? STDERR_FLAG : 0), offset + 4);
  target.writeUInt32LE(record.raw.length, offset + 5);
  target.writeUInt16LE(Math.min(record.chunkIndex, MAX_U16), offset + 9);
  target.writeUInt16LE(Math.min(record.totalChunks, MAX_U16), offset + 11);
}

/** Header plus payload bytes of the record at `offset`, read from its header. */
export function recordBytesAt(buffer: Buffer, offset: number): number {
  const flags = buffer.readUInt8(offset + 4);
  const header = flags & SPLIT_HEADER_FLAG ? RECORD_HEADER_BYTES : LEGACY_HEADER_BYTES;
  return header + buffer.readUInt32LE(offset + 5);
}

/** Parses whole records from `buffer`; returns them and how many bytes they used. */
export function parseRecords(buffer: Buffer): { records: SpoolRecord[]; usedBytes: number } {
  const records: SpoolRecord[] = [];
  let offset = 0;
  while (buffer.length - offset >= LEGACY_HEADER_BYTES) {
    const flags = buffer.readUInt8(offset + 4);
    const split = (flags & SPLIT_HEADER_FLAG) !== 0;
    const header = split ? RECORD_HEADER_BYTES : LEGACY_HEADER_BYTES;
    if (buffer.length - offset < header) break;
    const end = offset + header + buffer.readUInt32LE(offset + 5);
    if (end > buffer.length) break;
    records.push({
      seq: buffer.readUInt32LE(offset),
      // Legacy headers hold 0 (stdout) or 1 (stderr) in this byte: bit 0 reads both.
      stream: flags & STDERR_FLAG ? "stderr" : "stdout",
      raw: buffer.subarray(offset + header, end),
      chunkIndex: split ? buffer.readUInt16LE(offset + 9) : 0,
      totalChunks: split ? buffer.readUInt16LE(offset + 11) : 1,
    });
    offset = end;
  }
  return { records, usedBytes: offset };
}
