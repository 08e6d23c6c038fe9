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
  const half = Math.floor(maxBytes / 2);
  const sizeBytes = segments.reduce((sum, s) => sum + s.sizeBytes, 0);
  let head: Buffer;
  let tail: Buffer = Buffer.alloc(0);
  if (sizeBytes <= maxBytes) {
    head = Buffer.concat(await Promise.all(segments.map(readPayload)));
  } else {
    const front: Buffer[] = [];
    let used = 0;
    let next = 0;
    for (; next < segments.length && used < half; next++) {
      const payload = await readPayload(segments[next] as Segment);
      front.push(payload);
      used += payload.length;
    }
    const back: Buffer[] = [];
    let tailUsed = 0;
    for (let i = segments.length - 1; i >= next && tailUsed < half; i--) {
      const payload = await readPayload(segments[i] as Segment);
      back.unshift(payload);
      tailUsed += payload.length;
    }
    head = cutBefore(Buffer.concat(front), half, encoding);
    const rest = Buffer.concat(back);
    tail = cutAfter(rest, Math.max(0, rest.length - half), encoding);
  }
  const recordedBytes = record.stdoutBytes + record.stderrBytes;
  const finalTotal = record.endedAtMs !== null ? recordedBytes : 0;
  const omittedBytes = Math.max(0, finalTotal - head.length - tail.length);
  return {
    source: "spool",
    encoding,
    head: head.toString(text),
    tail: tail.toString(text),
    omittedBytes,
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
