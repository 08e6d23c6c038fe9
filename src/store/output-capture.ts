/**
 * The head and tail of an execution's output for its history record, captured as chunks pass.
 * Chunks are views of buffers that are reused, so their bytes are copied: the head into a buffer
 * of its limit, the tail into a ring of its limit. Nothing is decoded until the end, and memory
 * stays at the two limits however much the execution writes.
 */
import type { OutputChunk } from "../supervisor/output-chunk.js";
import type { StoredOutput } from "./store.js";
import { cutAfter, cutBefore } from "./utf8-cut.js";

export const DEFAULT_CAPTURE_BYTES = 64 * 1024;
/** The head keeps a few bytes past its limit, to see whether the limit splits a character. */
const UTF8_LOOKAHEAD_BYTES = 3;

export class OutputCapture {
  /** Made at the first output: most executions of a batch write little or nothing. */
  private head: Buffer | null = null;
  private headBytes = 0;
  private readonly tail: TailRing;
  private totalBytes = 0;

  constructor(
    private readonly encoding: "utf8" | "base64",
    private readonly headLimitBytes = DEFAULT_CAPTURE_BYTES,
    private readonly tailLimitBytes = DEFAULT_CAPTURE_BYTES,
  ) {
    this.tail = new TailRing(tailLimitBytes);
  }

  add(chunk: OutputChunk): void {
    const raw = chunk.raw;
    this.totalBytes += raw.length;
    this.head ??= Buffer.allocUnsafeSlow(this.headLimitBytes + UTF8_LOOKAHEAD_BYTES);
    const toHead = Math.min(raw.length, this.head.length - this.headBytes);
    if (toHead > 0) {
      raw.copy(this.head, this.headBytes, 0, toHead);
      this.headBytes += toHead;
    }
    if (toHead < raw.length) this.tail.add(raw.subarray(toHead));
  }

  result(): StoredOutput {
    const headAll = this.head?.subarray(0, this.headBytes) ?? Buffer.alloc(0);
    const head = cutBefore(headAll, this.headLimitBytes, this.encoding);
    // What the head held past its cut belongs before the tail.
    const rest = Buffer.concat([headAll.subarray(head.length), this.tail.bytes()]);
    const tail = cutAfter(rest, rest.length - this.tailLimitBytes, this.encoding);
    const text = this.encoding === "utf8" ? "utf8" : "base64";
    return {
      encoding: this.encoding,
      head: head.toString(text),
      tail: tail.toString(text),
      omittedBytes: Math.max(0, this.totalBytes - head.length - tail.length),
    };
  }
}

/** The last `limitBytes` bytes added. */
class TailRing {
  private ring: Buffer | null = null;
  private writeAt = 0;
  private addedBytes = 0;

  constructor(private readonly limitBytes: number) {}

  add(data: Buffer): void {
    if (this.limitBytes === 0) return;
    this.ring ??= Buffer.allocUnsafeSlow(this.limitBytes);
    const ring = this.ring;
    const kept = data.subarray(Math.max(0, data.length - ring.length));
    const first = Math.min(kept.length, ring.length - this.writeAt);
    kept.copy(ring, this.writeAt, 0, first);
    kept.copy(ring, 0, first);
    this.writeAt = (this.writeAt + kept.length) % ring.length;
    this.addedBytes += data.length;
  }

  bytes(): Buffer {
    const ring = this.ring;
    if (!ring) return Buffer.alloc(0);
    if (this.addedBytes < ring.length) return ring.subarray(0, this.addedBytes);
    return Buffer.concat([ring.subarray(this.writeAt), ring.subarray(0, this.writeAt)]);
  }
}
