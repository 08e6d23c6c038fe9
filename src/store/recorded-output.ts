/**
 * An execution's output for `history.get` and `history show`: from its spool files while they
 * exist (all of it, or its first and last `maxBytes / 2` when larger), else the head and tail
 * the store kept. Stdout and stderr come interleaved in the order they were produced. The spool
 * files are read directly, so this works after a restart and in the CLI without a server.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { DEFAULT_OUTPUT_BYTES, type WireOutput } from "../protocol/history.js";
import { cutAfter, cutBefore } from "../supervisor/output/utf8-cut.js";
import { parseRecords } from "../supervisor/spool/spool-segment.js";
import type { ExecutionRecord } from "./store.js";

export interface OutputView {
  source: WireOutput["source"];
  encoding: WireOutput["encoding"];
  head: string;
  /** Empty when `head` holds everything that is available. */
  tail: string;
  /** Output bytes not included between head and tail (cut here, or dropped by the spool cap). */
  omittedBytes: number;
}

export { DEFAULT_OUTPUT_BYTES };

interface Segment {
  number: number;
  path: string;
  sizeBytes: number;
}

export async function readRecordedOutput(
  record: ExecutionRecord,
  maxBytes = DEFAULT_OUTPUT_BYTES,
): Promise<OutputView> {
  const encoding = record.output?.encoding ?? "utf8";
  const segments = record.spoolDir ? await listSegments(record.spoolDir) : [];
  if (segments.length > 0) return fromSpool(record, segments, encoding, maxBytes);
  const stored = record.output;
  if (!stored) return { source: "none", encoding, head: "", tail: "", omittedBytes: 0 };
  return { source: "stored", ...stored };
}

async function fromSpool(
  record: ExecutionRecord,
  segments: Segment[],
  encoding: "utf8" | "base64",
  maxBytes: number,
): Promise<OutputView> {
  const text = encoding === "utf8" ? "utf8" : "base64";
  const { head, tail, spooledBytes } = await headAndTail(segments, encoding, maxBytes, {
    countSkipped: record.endedAtMs === null,
  });
  // An ended execution's byte counts are final and include what the spool cap dropped; a
  // running one's are not, so what its files hold counts then.
  const recordedBytes = record.stdoutBytes + record.stderrBytes;
  const totalBytes = record.endedAtMs !== null ? recordedBytes : spooledBytes;
  const omittedBytes = Math.max(0, totalBytes - head.length - tail.length);
  return {
    source: "spool",
    encoding,
    head: head.toString(text),
    tail: tail.toString(text),
    omittedBytes,
  };
}

/**
 * The first and last `maxBytes / 2` output bytes of the files, or all of them when they fit.
 * Sizes are output bytes (the files' record headers do not count), and one file may hold both
 * the head and the tail: the default file is 16 MiB, larger than many cuts.
 */
async function headAndTail(
  segments: Segment[],
  encoding: "utf8" | "base64",
  maxBytes: number,
  options: { countSkipped: boolean },
): Promise<{ head: Buffer; tail: Buffer; spooledBytes: number }> {
  const half = Math.floor(maxBytes / 2);
  const front: Buffer[] = [];
  let frontBytes = 0;
  let next = 0;
  // Files whose whole size (headers included) fits are read whole without counting.
  const fileBytes = segments.reduce((sum, s) => sum + s.sizeBytes, 0);
  const frontWants = fileBytes <= maxBytes ? Number.POSITIVE_INFINITY : half;
  for (; next < segments.length && frontBytes < frontWants; next++) {
    const payload = await readPayload(segments[next] as Segment);
    front.push(payload);
    frontBytes += payload.length;
  }
  const back: Buffer[] = [];
  let backBytes = 0;
  let last = segments.length - 1;
  for (; last >= next && backBytes < half; last--) {
    const payload = await readPayload(segments[last] as Segment);
    back.unshift(payload);
    backBytes += payload.length;
  }
  if (last < next) {
    // Every file was read: head and tail are cut from the whole, which may fit after all.
    const all = Buffer.concat([...front, ...back]);
    if (all.length <= maxBytes)
      return { head: all, tail: Buffer.alloc(0), spooledBytes: all.length };
    const head = cutBefore(all, half, encoding);
    const tail = cutAfter(all, all.length - half, encoding);
    return { head, tail, spooledBytes: all.length };
  }
  // The files between are only counted, one at a time, and only when asked: a running
  // execution's byte counts are not final, so its files are the only measure of what is left out.
  let skippedBytes = 0;
  for (let i = next; options.countSkipped && i <= last; i++)
    skippedBytes += (await readPayload(segments[i] as Segment)).length;
  const rest = Buffer.concat(back);
  return {
    head: cutBefore(Buffer.concat(front), half, encoding),
    tail: cutAfter(rest, rest.length - half, encoding),
    spooledBytes: frontBytes + skippedBytes + backBytes,
  };
}

async function listSegments(dir: string): Promise<Segment[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const segments: Segment[] = [];
  for (const name of names) {
    const match = /^(\d+)\.seg$/.exec(name);
    if (!match) continue;
    const path = join(dir, name);
    const info = await stat(path).catch(() => null);
    if (info) segments.push({ number: Number(match[1]), path, sizeBytes: info.size });
  }
  return segments.sort((a, b) => a.number - b.number);
}

/** The output bytes of one spool file, records in seq order (headers dropped). */
async function readPayload(segment: Segment): Promise<Buffer> {
  const bytes = await readFile(segment.path).catch(() => Buffer.alloc(0));
  return Buffer.concat(parseRecords(bytes).records.map((r) => r.raw));
}
