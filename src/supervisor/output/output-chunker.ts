/**
 * Cuts a child's byte stream into notification-sized chunks (DESIGN §4): at most `maxChunkBytes`
 * each, cut after a newline where one is in reach, otherwise on a UTF-8 character boundary, so a
 * decoded chunk never holds half a character. Many short reads go out as one chunk: the owner
 * pushes every read of an event-loop turn, then takes once.
 */

export interface RawChunk {
  raw: Buffer;
  chunkIndex: number;
  totalChunks: number;
}

/**
 * - `lines`: whole lines only; a trailing partial line waits for more data (unless it alone
 *   exceeds a chunk, then it is cut).
 * - `all`: everything but an incomplete trailing UTF-8 sequence (used when a partial line has
 *   waited long enough, e.g. a prompt without newline).
 * - `final`: everything (the stream ended).
 */
export type TakeMode = "lines" | "all" | "final";

const NEWLINE = 0x0a;

const MIN_STAGING_BYTES = 16 * 1024;

export class OutputChunker {
  private staging: Buffer = Buffer.alloc(0);
  /** Bytes at the front of `staging` already handed out by `take`. */
  private taken = 0;
  private length = 0;

  constructor(
    private readonly maxChunkBytes: number,
    private readonly utf8Aware = true,
  ) {}

  get pendingBytes(): number {
    return this.length - this.taken;
  }

  push(data: Buffer): void {
    if (data.length === 0) return;
    this.compact(data.length);
    data.copy(this.staging, this.length);
    this.length += data.length;
  }

  take(mode: TakeMode): RawChunk[] {
    this.compact(0);
    if (this.length === 0) return [];
    const buffer = this.staging.subarray(0, this.length);
    const pieces: Buffer[] = [];
    let start = 0;
    for (const end of this.cutPoints(buffer, mode)) {
      pieces.push(buffer.subarray(start, end));
      start = end;
    }
    this.taken = start;
    return pieces.map((raw, index) => ({ raw, chunkIndex: index, totalChunks: pieces.length }));
  }

  /** Drops the staging buffer (the stream ended); a later push makes a new one. */
  release(): void {
    this.staging = Buffer.alloc(0);
    this.taken = 0;
    this.length = 0;
  }

  /** Moves the bytes not yet taken to the front and makes room for `incoming` more. */
  private compact(incoming: number): void {
    const pending = this.length - this.taken;
    if (this.taken > 0) {
      this.staging.copyWithin(0, this.taken, this.length);
      this.taken = 0;
      this.length = pending;
    }
    const needed = pending + incoming;
    if (needed <= this.staging.length) return;
    let capacity = Math.max(MIN_STAGING_BYTES, this.staging.length);
    while (capacity < needed) capacity *= 2;
    const grown = Buffer.allocUnsafeSlow(capacity);
    this.staging.copy(grown, 0, 0, pending);
    this.staging = grown;
  }

  /** Ascending end offsets of the chunks to emit now. */
  private cutPoints(buffer: Buffer, mode: TakeMode): number[] {
    const cuts: number[] = [];
    const max = this.maxChunkBytes;
    let start = 0;
    while (buffer.length - start > max) {
      const newline = buffer.lastIndexOf(NEWLINE, start + max - 1);
      const end =
        newline >= start ? newline + 1 : this.boundaryAtOrBefore(buffer, start + max, start);
      cuts.push(end);
      start = end;
    }
    if (start === buffer.length) return cuts;
    const end = this.lastEnd(buffer, start, mode);
    if (end > start) cuts.push(end);
    return cuts;
  }

  private lastEnd(buffer: Buffer, start: number, mode: TakeMode): number {
    if (mode === "final") return buffer.length;
    if (mode === "all") return this.completeEnd(buffer, start);
    const newline = buffer.lastIndexOf(NEWLINE);
    return newline >= start ? newline + 1 : start;
  }

  /** The largest offset ≤ `limit` (and > `start`) that does not split a UTF-8 character. */
  private boundaryAtOrBefore(buffer: Buffer, limit: number, start: number): number {
    if (!this.utf8Aware) return limit;
    let end = limit;
    // A continuation byte (10xxxxxx) at `end` means `end` is inside a character.
    while (end > start && limit - end < 3 && isContinuation(buffer[end])) end--;
    return end > start ? end : limit;
  }

  /** End of the buffer, minus a trailing character whose remaining bytes have not arrived yet. */
  private completeEnd(buffer: Buffer, start: number): number {
    const length = buffer.length;
    if (!this.utf8Aware) return length;
    for (let back = 1; back <= 3 && length - back >= start; back++) {
      const byte = buffer[length - back] as number;
      if (isContinuation(byte)) continue;
      const needed = sequenceLength(byte);
      return needed > back ? length - back : length;
    }
    return length;
  }
}

function isContinuation(byte: number | undefined): boolean {
  return byte !== undefined && (byte & 0xc0) === 0x80;
}

function sequenceLength(leadByte: number): number {
  if (leadByte >= 0xf0) return 4;
  if (leadByte >= 0xe0) return 3;
  if (leadByte >= 0xc0) return 2;
  return 1;
}
