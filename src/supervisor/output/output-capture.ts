/**
 * The head and tail of an execution's output for its history record, captured as chunks pass.
 * Chunks are views of buffers that are reused, so the head is copied into a buffer of its limit.
 * The tail is kept by reference when the chunks' bytes outlive the tail's span (the memory window
 * holds megabytes after them), else copied into a ring of its limit: copying every chunk costs
 * ~2 µs per 20 KiB chunk, ~4 % of a fast stream's CPU. Nothing is decoded until the end, and
 * memory stays at the two limits however much the execution writes.
 */

import type { OutputChunk } from "./output-chunk.js";
import { cutAfter, cutBefore } from "./utf8-cut.js";

export const DEFAULT_CAPTURE_BYTES = 64 * 1024;
/** The largest chunk the supervisor makes (execution-output.ts). */
const MAX_PIECE_BYTES = 64 * 1024;
/** The head keeps a few bytes past its limit, to see whether the limit splits a character. */
const UTF8_LOOKAHEAD_BYTES = 3;

/** The head and tail of an output, as text; the bytes between them only counted. */
export interface CapturedOutput {
  encoding: "utf8" | "base64";
  head: string;
  tail: string;
  /** Output bytes between head and tail that are not kept. */
  omittedBytes: number;
}

export class OutputCapture {
  /** Made at the first output: most executions of a batch write little or nothing. */
  private head: Buffer | null = null;
  private headBytes = 0;
  private tail: Tail;
  private totalBytes = 0;
  private final: CapturedOutput | null = null;

  /**
   * @param chunksValidForBytes how much later output a chunk's bytes are guaranteed to outlive
   *   (ReplayWindow.guaranteedBytes); 0 when unknown.
   */
  constructor(
    private readonly encoding: "utf8" | "base64",
    private readonly headLimitBytes = DEFAULT_CAPTURE_BYTES,
    private readonly tailLimitBytes = DEFAULT_CAPTURE_BYTES,
    chunksValidForBytes = 0,
  ) {
    // A kept piece starts at most a tail and one chunk before the end.
    const byReference = chunksValidForBytes >= tailLimitBytes + 2 * MAX_PIECE_BYTES;
    this.tail = byReference ? new TailPieces(tailLimitBytes) : new TailRing(tailLimitBytes);
  }

  add(chunk: OutputChunk): void {
    if (this.final) return;
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

  /**
   * The captured head and tail; after this the capture holds nothing (a tail kept by reference
   * would otherwise keep the window's whole buffer alive as long as the record lives).
   */
  result(): CapturedOutput {
    if (this.final) return this.final;
    const headAll = this.head?.subarray(0, this.headBytes) ?? Buffer.alloc(0);
    const head = cutBefore(headAll, this.headLimitBytes, this.encoding);
    // What the head held past its cut belongs before the tail.
    const rest = Buffer.concat([headAll.subarray(head.length), this.tail.bytes()]);
    const tail = cutAfter(rest, rest.length - this.tailLimitBytes, this.encoding);
    const text = this.encoding === "utf8" ? "utf8" : "base64";
    this.final = {
      encoding: this.encoding,
      head: head.toString(text),
      tail: tail.toString(text),
      omittedBytes: Math.max(0, this.totalBytes - head.length - tail.length),
    };
    this.head = null;
    this.tail = new TailRing(0);
    return this.final;
  }
}

interface Tail {
  add(data: Buffer): void;
  /** At least the last `limitBytes` bytes added (all of them when fewer). */
  bytes(): Buffer;
}

/** Keeps references to the last pieces that cover the limit. */
class TailPieces implements Tail {
  private pieces: Buffer[] = [];
  private first = 0;
  private heldBytes = 0;

  constructor(private readonly limitBytes: number) {}

  add(data: Buffer): void {
    this.pieces.push(data);
    this.heldBytes += data.length;
    // Drop whole pieces from the front while the rest still covers the limit.
    for (;;) {
      const oldest = this.pieces[this.first];
      if (!oldest || this.heldBytes - oldest.length < this.limitBytes) break;
      this.heldBytes -= oldest.length;
      this.first++;
    }
    if (this.first > 1024 && this.first * 2 > this.pieces.length) {
      this.pieces = this.pieces.slice(this.first);
      this.first = 0;
    }
  }

  bytes(): Buffer {
    return Buffer.concat(this.pieces.slice(this.first));
  }
}

/** Copies the last `limitBytes` bytes added into a ring. */
class TailRing implements Tail {
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
