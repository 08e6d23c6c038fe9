/**
 * Every byte of an execution's output on disk (DESIGN §5), so a subscriber far behind, a
 * reconnecting client or history can read output the memory window no longer holds.
 *
 * Writes are queued and written in batches off the hot path. Past `capBytes` the spool keeps its
 * head (the first half of the cap) and a rolling tail, dropping whole middle segments; readers
 * asking for dropped output are told the gap. A write error (a full disk) stops spooling and is
 * reported; it never stops the execution or the live stream.
 *
 * With a budget (the server's total spool cap, spool-janitor.ts), each record's room is claimed
 * first; a refused claim stops spooling the same way, with what was written kept: a reader gets
 * the head from here, then a `process.gap`, then what the memory window still holds.
 */
import { mkdir, open, rm } from "node:fs/promises";
import { join } from "node:path";
import { ByteSlabs, type SlabRange } from "../../runtime/byte-slabs.js";
import type { SpoolBudget } from "./spool-janitor.js";
import { readSegmentRecords } from "./spool-reader.js";
import {
  RECORD_HEADER_BYTES,
  type SpoolRecord,
  SpoolSegment,
  writeRecordHeader,
} from "./spool-segment.js";

export type { SpoolRecord };

export interface SpoolOptions {
  dir: string;
  capBytes: number;
  segmentBytes: number;
  /** Told once when spooling stops (a write error, the total cap), so an operator hears of it. */
  onFailure?: (message: string) => void;
  /** The server-wide budget every record's room is claimed from; none: only `capBytes` holds. */
  budget?: SpoolBudget | null;
}

export interface SpoolRead {
  records: SpoolRecord[];
  /** Set when output from `from` to `to` (inclusive seqs) was dropped by the cap. */
  gap: { from: number; to: number } | null;
}

interface QueuedWrite {
  segment: SpoolSegment;
  /** Where the records wait in the slabs, in file order. */
  ranges: SlabRange[];
  bytes: number;
}

const MAX_IOVECS = 1000;

export class Spool {
  private readonly segments: SpoolSegment[] = [];
  private queue: QueuedWrite[] = [];
  /**
   * Records waiting for the disk. Enough slabs are kept for reuse to cover the backlog at which
   * the execution's output is paused (1 MiB at most), so a steady stream allocates none.
   */
  private readonly slabs = new ByteSlabs({
    minSlabBytes: 4 * 1024,
    maxSlabBytes: 256 * 1024,
    maxFreeSlabs: 6,
  });
  private writing = false;
  /** The segment a write is under way to; it must not be sealed or dropped meanwhile. */
  private inFlight: SpoolSegment | null = null;
  private dirReady: Promise<void> | null = null;
  private backlogWaiters: Array<{ atMostBytes: number; resolve: () => void }> = [];
  private backlog = 0;
  private planned = 0;
  private droppedSegments = 0;
  private failure: string | null = null;
  /** Why spooling stopped before the end with everything written so far kept (the total cap). */
  private stopped: string | null = null;
  private removed = false;
  private finished = false;

  constructor(private readonly options: SpoolOptions) {}

  /** Bytes queued for disk but not yet written. */
  get backlogBytes(): number {
    return this.backlog;
  }

  /** A write error that stopped spooling. */
  get error(): string | null {
    return this.failure;
  }

  /** True while the spool holds every chunk it was given (less what the per-execution cap dropped). */
  get complete(): boolean {
    return this.failure === null && this.stopped === null && !this.removed;
  }

  /** True while output from seq 1 on can be read from here (up to where spooling stopped). */
  get readableFromStart(): boolean {
    return this.failure === null && !this.removed;
  }

  /** True once output has been dropped to respect the cap. */
  get capped(): boolean {
    return this.droppedSegments > 0;
  }

  get dir(): string {
    return this.options.dir;
  }

  /** Bytes kept on disk (after the cap dropped what it had to). */
  get sizeBytes(): number {
    return this.planned;
  }

  /**
   * Queues an output chunk for disk, with how its read was split; `raw` is copied, so it may be a
   * view of a reused buffer.
   */
  append(chunk: SpoolRecord): void {
    if (this.failure !== null || this.stopped !== null || this.finished) return;
    const bytes = RECORD_HEADER_BYTES + chunk.raw.length;
    const budget = this.options.budget;
    if (budget && !budget.claim(bytes)) return this.stop(budget, chunk.seq);
    const segment = this.segmentFor(bytes);
    segment.plan(chunk.seq, chunk.raw.length);
    const range = this.slabs.reserve(bytes);
    writeRecordHeader(range.slab.buffer, range.start, chunk);
    chunk.raw.copy(range.slab.buffer, range.start + RECORD_HEADER_BYTES);
    this.planned += bytes;
    this.backlog += bytes;
    this.enqueue(segment, range);
    this.enforceCap();
    void this.pump();
  }

  private enqueue(segment: SpoolSegment, range: SlabRange): void {
    const bytes = range.end - range.start;
    const last = this.queue[this.queue.length - 1];
    if (!last || last.segment !== segment || last.ranges.length >= MAX_IOVECS) {
      this.queue.push({ segment, ranges: [range], bytes });
      return;
    }
    last.bytes += bytes;
    const previous = last.ranges[last.ranges.length - 1] as SlabRange;
    // Records usually follow each other in the same slab: one range, one iovec.
    if (previous.slab === range.slab && previous.end === range.start) previous.end = range.end;
    else last.ranges.push(range);
  }

  /** Resolves when everything appended so far is on disk (or spooling failed). */
  flushed(): Promise<void> {
    return this.backlogAtMost(0);
  }

  /**
   * Resolves once at most `atMostBytes` wait for the disk (or spooling failed): a producer paused
   * at a limit resumes at a lower mark while the rest is written, rather than idling until all is.
   */
  backlogAtMost(atMostBytes: number): Promise<void> {
    if (this.backlog <= atMostBytes || this.failure !== null) return Promise.resolve();
    return new Promise((resolve) => this.backlogWaiters.push({ atMostBytes, resolve }));
  }

  /**
   * Records with seq ≥ `fromSeq`, up to about `maxBytes`, from what is on disk. With `scratch`,
   * records are read into it (views, valid until the caller reuses it) and stop where it is
   * full: a reader catching up through gigabytes reuses one buffer instead of making thousands.
   */
  async read(fromSeq: number, maxBytes: number, scratch: Buffer | null = null): Promise<SpoolRead> {
    if (this.removed) return { records: [], gap: null };
    const index = this.segments.findIndex((s) => !s.deleted && s.lastSeq >= fromSeq);
    const segment = this.segments[index];
    if (!segment || segment.writtenBytes === 0) return { records: [], gap: null };
    let gap: SpoolRead["gap"] = null;
    const previous = this.segments[index - 1];
    if (fromSeq < segment.firstSeq && previous?.deleted) {
      gap = { from: fromSeq, to: segment.firstSeq - 1 };
    }
    const startSeq = Math.max(fromSeq, segment.firstSeq);
    const records = await readSegmentRecords(segment, startSeq, maxBytes, scratch);
    return { records, gap };
  }

  /** Closes the files once everything is written. The files stay until `remove()`. */
  async finish(): Promise<void> {
    await this.flushed();
    this.finished = true;
    this.slabs.trim();
    for (const segment of this.segments) await this.seal(segment);
  }

  async remove(): Promise<void> {
    this.finished = true;
    if (!this.removed) this.options.budget?.release(this.planned);
    this.removed = true;
    this.planned = 0;
    // Drop what is not written yet, but let a write already under way land first: sealing under
    // it would leave the file it is opening open for good, and it could re-create the folder.
    for (const write of this.queue) this.backlog -= write.bytes;
    this.queue = [];
    this.resolveBacklogWaiters();
    await this.flushed();
    for (const segment of this.segments) await this.seal(segment);
    await rm(this.options.dir, { recursive: true, force: true });
  }

  private stop(budget: SpoolBudget, seq: number): void {
    this.stopped =
      `total spool cap reached (${budget.capBytes} bytes across all executions): ` +
      `output from seq ${seq} on is not spooled`;
    this.options.onFailure?.(this.stopped);
  }

  private segmentFor(recordBytes: number): SpoolSegment {
    const current = this.segments[this.segments.length - 1];
    if (current && current.plannedBytes + recordBytes <= this.options.segmentBytes) return current;
    if (current && current.plannedBytes === 0) return current;
    const number = this.segments.length;
    const segment = new SpoolSegment(
      number,
      join(this.options.dir, `${String(number).padStart(6, "0")}.seg`),
    );
    this.segments.push(segment);
    return segment;
  }

  /** Keeps the head segments and drops the oldest tail segments while over the cap. */
  private enforceCap(): void {
    const headSegments = Math.max(
      1,
      Math.floor(this.options.capBytes / 2 / this.options.segmentBytes),
    );
    for (const segment of this.segments) {
      if (this.planned <= this.options.capBytes) return;
      if (segment.number < headSegments || segment.deleted) continue;
      if (segment === this.segments[this.segments.length - 1]) return;
      if (segment === this.inFlight) return;
      if (this.queue.some((write) => write.segment === segment)) return;
      segment.deleted = true;
      this.planned -= segment.plannedBytes;
      this.options.budget?.release(segment.plannedBytes);
      this.droppedSegments++;
      void this.seal(segment).then(() => rm(segment.path, { force: true }));
    }
  }

  private async pump(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.queue.length > 0 && this.failure === null) {
        const write = this.queue.shift() as QueuedWrite;
        this.inFlight = write.segment;
        await this.writeOne(write);
        this.inFlight = null;
        // Segments still queued or in flight were spared by the cap; drop them now they are done,
        // or a burst written after the last append would stay over the cap for good.
        this.enforceCap();
      }
    } catch (error) {
      this.inFlight = null;
      this.failure = (error as Error).message;
      this.queue = [];
      this.backlog = 0;
      this.options.onFailure?.(this.failure);
    } finally {
      this.writing = false;
    }
    this.resolveBacklogWaiters();
  }

  private async writeOne(write: QueuedWrite): Promise<void> {
    const { segment } = write;
    if (!segment.handle) {
      this.dirReady ??= mkdir(this.options.dir, { recursive: true, mode: 0o700 }).then(() => {});
      await this.dirReady;
      segment.handle = await open(segment.path, "w", 0o600);
    }
    await segment.handle.writev(write.ranges.map((r) => r.slab.buffer.subarray(r.start, r.end)));
    for (const range of write.ranges) this.slabs.release(range);
    segment.writtenBytes += write.bytes;
    this.backlog -= write.bytes;
    this.resolveBacklogWaiters();
    const current = this.segments[this.segments.length - 1];
    if (segment !== current && !this.queue.some((w) => w.segment === segment)) {
      await this.seal(segment);
    }
  }

  /** Closes the segment's file for good; a second caller waits for the same close. */
  private seal(segment: SpoolSegment): Promise<void> {
    if (!segment.sealed) {
      const handle = segment.handle;
      segment.handle = null;
      segment.sealed = handle ? handle.close().catch(() => {}) : Promise.resolve();
    }
    return segment.sealed;
  }

  private resolveBacklogWaiters(): void {
    if (this.backlogWaiters.length === 0) return;
    const failed = this.failure !== null;
    const waiting = [];
    for (const waiter of this.backlogWaiters) {
      if (failed || this.backlog <= waiter.atMostBytes) waiter.resolve();
      else waiting.push(waiter);
    }
    this.backlogWaiters = waiting;
  }
}
