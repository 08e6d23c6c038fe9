/**
 * The newest output of one execution kept in memory (MAX_BUFFER_SIZE, DESIGN §3/§5), so a
 * subscriber a little behind catches up without touching the disk. Older output is in the spool.
 */
import type { OutputChunk } from "./output-chunk.js";

export class ReplayWindow {
  private chunks: OutputChunk[] = [];
  private head = 0;
  private bytes = 0;

  constructor(private readonly capacityBytes: number) {}

  push(chunk: OutputChunk): void {
    this.chunks.push(chunk);
    this.bytes += chunk.raw.length;
    while (this.bytes > this.capacityBytes && this.size > 1) {
      const oldest = this.chunks[this.head] as OutputChunk;
      this.bytes -= oldest.raw.length;
      this.chunks[this.head] = undefined as unknown as OutputChunk;
      this.head++;
    }
    // Compact now and then so the array does not grow without end.
    if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }

  get size(): number {
    return this.chunks.length - this.head;
  }

  get retainedBytes(): number {
    return this.bytes;
  }

  /** Seq of the oldest chunk held, or null when empty. */
  get firstSeq(): number | null {
    return this.size === 0 ? null : (this.chunks[this.head] as OutputChunk).seq;
  }

  /** The chunk with this seq, if the window still holds it. */
  get(seq: number): OutputChunk | undefined {
    const first = this.firstSeq;
    if (first === null || seq < first) return undefined;
    return this.chunks[this.head + (seq - first)];
  }

  clear(): void {
    this.chunks = [];
    this.head = 0;
    this.bytes = 0;
  }
}
