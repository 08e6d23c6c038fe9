/**
 * The head and tail of an execution's output for its history record, captured as chunks pass.
 * Per chunk it only keeps a reference to the chunk's bytes (no copying, no decoding), so
 * listening costs the stream nothing measurable; text is made once, at the end.
 */
import type { OutputChunk } from "../supervisor/output-chunk.js";
import type { StoredOutput } from "./store.js";
import { cutAfter, cutBefore } from "./utf8-cut.js";

export const DEFAULT_CAPTURE_BYTES = 64 * 1024;

interface Piece {
  raw: Buffer;
  bytes: number;
}

export class OutputCapture {
  private readonly head: Piece[] = [];
  private headBytes = 0;
  private tail: Piece[] = [];
  private tailStart = 0;
  private tailBytes = 0;
  private totalBytes = 0;

  constructor(
    private readonly encoding: "utf8" | "base64",
    private readonly headLimitBytes = DEFAULT_CAPTURE_BYTES,
    private readonly tailLimitBytes = DEFAULT_CAPTURE_BYTES,
  ) {}

  add(chunk: OutputChunk): void {
    const piece = { raw: chunk.raw, bytes: chunk.raw.length };
    this.totalBytes += piece.bytes;
    if (this.headBytes < this.headLimitBytes) {
      this.head.push(piece);
      this.headBytes += piece.bytes;
      return;
    }
    this.tail.push(piece);
    this.tailBytes += piece.bytes;
    // Drop whole pieces from the front while the rest still covers the limit.
    for (;;) {
      const first = this.tail[this.tailStart];
      if (!first || this.tailBytes - first.bytes < this.tailLimitBytes) break;
      this.tailBytes -= first.bytes;
      this.tailStart++;
    }
    if (this.tailStart > 1024 && this.tailStart * 2 > this.tail.length) {
      this.tail = this.tail.slice(this.tailStart);
      this.tailStart = 0;
    }
  }

  result(): StoredOutput {
    const headAll = this.bytesOf(this.head);
    const head = cutBefore(headAll, this.headLimitBytes, this.encoding);
    // Whatever the last head piece carried past the limit belongs before the tail.
    const rest = Buffer.concat([
      headAll.subarray(head.length),
      this.bytesOf(this.tail.slice(this.tailStart)),
    ]);
    const tail = cutAfter(rest, rest.length - this.tailLimitBytes, this.encoding);
    const text = this.encoding === "utf8" ? "utf8" : "base64";
    return {
      encoding: this.encoding,
      head: head.toString(text),
      tail: tail.toString(text),
      omittedBytes: Math.max(0, this.totalBytes - head.length - tail.length),
    };
  }

  private bytesOf(pieces: Piece[]): Buffer {
    return Buffer.concat(pieces.map((p) => p.raw));
  }
}
