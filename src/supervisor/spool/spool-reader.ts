/**
 * Reads an execution's output back from one spool file, from the record with a given seq on,
 * in batches (into the caller's scratch buffer when it gives one).
 */
import { open } from "node:fs/promises";
import {
  parseRecords,
  RECORD_HEADER_BYTES,
  recordBytesAt,
  type SpoolRecord,
  type SpoolSegment,
} from "./spool-segment.js";

/** Below malloc's mmap threshold, so reads reuse heap memory instead of growing it. */
const READ_BATCH_BYTES = 96 * 1024;

/** Records with seq ≥ `startSeq`, up to about `maxBytes`, from what is on disk of `segment`. */
export async function readSegmentRecords(
  segment: SpoolSegment,
  startSeq: number,
  maxBytes: number,
  scratch: Buffer | null,
): Promise<SpoolRecord[]> {
  let offset = segment.offsetBefore(startSeq);
  const out: SpoolRecord[] = [];
  let bytes = 0;
  let scratchUsed = 0;
  const file = await open(segment.path, "r").catch(() => null);
  if (!file) return out;
  try {
    while (offset < segment.writtenBytes && bytes < maxBytes) {
      let length = Math.min(READ_BATCH_BYTES, segment.writtenBytes - offset);
      if (scratch) length = Math.min(length, scratch.length - scratchUsed);
      if (length < RECORD_HEADER_BYTES) break; // the scratch buffer is full
      const buffer = scratch
        ? scratch.subarray(scratchUsed, scratchUsed + length)
        : Buffer.allocUnsafe(length);
      const { bytesRead } = await file.read(buffer, 0, length, offset);
      const { records, usedBytes } = parseRecords(buffer.subarray(0, bytesRead));
      if (usedBytes === 0) {
        if (out.length > 0) break; // the next record does not fit in what is left of scratch
        // One record larger than a batch: read exactly that record.
        const recordLength = recordBytesAt(buffer, 0);
        const whole = Buffer.allocUnsafe(recordLength);
        await file.read(whole, 0, recordLength, offset);
        records.push(...parseRecords(whole).records);
        offset += recordLength;
      } else {
        offset += usedBytes;
      }
      const kept = out.length;
      for (const record of records) {
        if (record.seq < startSeq) continue;
        out.push(record);
        bytes += record.raw.length;
      }
      // Records before `startSeq` (read from the index point on) leave their space to the next.
      if (out.length > kept) scratchUsed += usedBytes;
    }
  } finally {
    await file.close();
  }
  return out;
}
