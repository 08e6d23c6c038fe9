/**
 * The newest output of one execution kept in memory (MAX_BUFFER_SIZE, DESIGN §3/§5), so a
 * subscriber a little behind catches up without touching the disk. Older output is in the spool.
 *
 * The bytes live in one ring buffer that grows (×4 at a time, so the rings it outgrows add up to
 * little) up to about the capacity and is then reused: a child writing a gigabyte costs the same
 * memory as one writing ten megabytes, and the garbage collector never sees a buffer per chunk.
 */
import { collectGarbageSoon } from "../../runtime/collect-garbage.js";
import type { OutputChunk } from "./output-chunk.js";

const MIN_RING_BYTES = 16 * 1024;
/** Room past the capacity, so the wrap-around waste never pushes the window below it. */
const RING_SLACK_BYTES = 64 * 1024;
/** A ring this big, let go, is worth a full collection: its memory returns only through one. */
const COLLECT_AFTER_RING_BYTES = 1024 * 1024;

export class ReplayWindow {
  private chunks: OutputChunk[] = [];
  private head = 0;
  private bytes = 0;
  private ring: Buffer = Buffer.alloc(0);
  /** Where the next chunk's bytes go. */
  private writeAt = 0;
  /** Where each held chunk's bytes start in the ring (parallel to `chunks`). */
  private starts: number[] = [];

  constructor(private readonly capacityBytes: number) {}

  /**
   * Keeps the chunk: its bytes are copied into the ring and `chunk.raw` is pointed at the copy
   * (the bytes it came with may be a read buffer that is about to be reused).
   */
  push(chunk: OutputChunk): void {
    const length = chunk.raw.length;
    while (this.size > 0 && this.bytes + length > this.capacityBytes) this.evictOldest();
    const at = this.place(length);
    chunk.raw.copy(this.ring, at);
    chunk.raw = this.ring.subarray(at, at + length);
    this.writeAt = at + length;
    this.chunks.push(chunk);
    this.starts.push(at);
    this.bytes += length;
    // Compact now and then so the arrays do not grow without end.
    if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.starts = this.starts.slice(this.head);
      this.head = 0;
    }
  }

  get size(): number {
    return this.chunks.length - this.head;
  }

  get retainedBytes(): number {
    return this.bytes;
  }

  /**
   * Output a chunk's bytes are sure to outlive: the window holds at least this much of the newest
   * output (its capacity, less what wrapping around can waste) and overwrites only what it no
   * longer holds. Listeners may keep `chunk.raw` for this long without copying it.
   */
  get guaranteedBytes(): number {
    return Math.max(0, this.capacityBytes - 2 * RING_SLACK_BYTES);
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
    if (this.ring.length >= COLLECT_AFTER_RING_BYTES) collectGarbageSoon();
    this.chunks = [];
    this.starts = [];
    this.head = 0;
    this.bytes = 0;
    this.ring = Buffer.alloc(0);
    this.writeAt = 0;
  }

  /**
   * The ring offset for `length` more bytes. Held bytes run from the oldest chunk's start to
   * `writeAt`, wrapping past the end of the ring at most once; the space after `writeAt` up to
   * the oldest chunk (or the ring's end) is free. When it is too small the ring grows, until it
   * has reached its size; then the oldest chunks make room.
   */
  private place(length: number): number {
    for (;;) {
      if (this.size === 0) {
        if (this.ring.length < length) this.grow(length);
        return 0;
      }
      const oldestStart = this.starts[this.head] as number;
      if (oldestStart < this.writeAt) {
        if (this.writeAt + length <= this.ring.length) return this.writeAt;
        if (length <= oldestStart) return 0; // wrap around; the end of the ring stays unused
      } else if (this.writeAt + length <= oldestStart) {
        return this.writeAt;
      }
      if (this.ring.length < this.maxRingBytes(length)) this.grow(length);
      else this.evictOldest();
    }
  }

  private maxRingBytes(length: number): number {
    return Math.max(this.capacityBytes, length) + RING_SLACK_BYTES;
  }

  /** A bigger ring with the held chunks copied to its front, oldest first. */
  private grow(length: number): void {
    const maxBytes = this.maxRingBytes(length);
    let capacity = Math.max(MIN_RING_BYTES, this.ring.length * 4);
    while (capacity < this.bytes + length) capacity *= 4;
    const ring = Buffer.allocUnsafeSlow(Math.min(capacity, maxBytes));
    let at = 0;
    for (let index = this.head; index < this.chunks.length; index++) {
      const chunk = this.chunks[index] as OutputChunk;
      chunk.raw.copy(ring, at);
      chunk.raw = ring.subarray(at, at + chunk.raw.length);
      this.starts[index] = at;
      at += chunk.raw.length;
    }
    this.ring = ring;
    this.writeAt = at;
  }

  private evictOldest(): void {
    const oldest = this.chunks[this.head] as OutputChunk;
    this.bytes -= oldest.raw.length;
    this.chunks[this.head] = undefined as unknown as OutputChunk;
    this.head++;
    if (this.size === 0) this.writeAt = 0;
  }
}
