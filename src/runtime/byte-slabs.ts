/**
 * Memory for bytes that wait for a slow consumer (the disk, a socket): a few slabs, reused.
 *
 * The spool copies output out of buffers that are about to be reused; output frames are encoded
 * straight into bytes for the socket. A fresh buffer for each would leave one allocation per
 * chunk for the garbage collector to find, and malloc fragmented behind it. Slabs are handed back
 * as soon as their bytes are consumed and serve the next ones. They start small (most executions
 * write little) and double up to the maximum.
 */

export interface SlabOptions {
  minSlabBytes: number;
  maxSlabBytes: number;
  /** Consumed slabs kept for reuse; a slab past this many is left to the garbage collector. */
  maxFreeSlabs: number;
}

export interface Slab {
  readonly buffer: Buffer;
  /** Bytes handed out from the front of the buffer. */
  used: number;
  /** Bytes handed out and not yet released. */
  outstanding: number;
}

/** A run of bytes in one slab. */
export interface SlabRange {
  slab: Slab;
  start: number;
  end: number;
}

export class ByteSlabs {
  private current: Slab | null = null;
  private readonly free: Slab[] = [];
  private nextSlabBytes: number;

  constructor(private readonly options: SlabOptions) {
    this.nextSlabBytes = options.minSlabBytes;
  }

  /** Room for `bytes` contiguous bytes; the caller writes them at `range.start`. */
  reserve(bytes: number): SlabRange {
    let slab = this.current;
    if (!slab || slab.buffer.length - slab.used < bytes) {
      if (slab) this.retire(slab);
      slab = this.takeSlab(bytes);
      this.current = slab;
    }
    const start = slab.used;
    slab.used += bytes;
    slab.outstanding += bytes;
    return { slab, start, end: start + bytes };
  }

  /** One more consumer of the range: it takes one more `release` to free it. */
  retain(range: SlabRange): void {
    range.slab.outstanding += range.end - range.start;
  }

  /** The range's bytes are consumed; a slab with nothing outstanding is reused. */
  release(range: SlabRange): void {
    const { slab } = range;
    slab.outstanding -= range.end - range.start;
    if (slab.outstanding > 0) return;
    if (slab === this.current) slab.used = 0;
    else this.retire(slab);
  }

  /** Drops the slabs kept for reuse (their owner is done for now). */
  trim(): void {
    this.free.length = 0;
    if (this.current?.outstanding === 0) this.current = null;
  }

  /** A slab stops being written to: reuse it now if nothing in it is outstanding. */
  private retire(slab: Slab): void {
    if (slab === this.current) this.current = null;
    if (slab.outstanding > 0) return; // its last release retires it
    slab.used = 0;
    if (this.free.length < this.options.maxFreeSlabs) this.free.push(slab);
  }

  private takeSlab(bytes: number): Slab {
    const reused = this.free.pop();
    if (reused && reused.buffer.length >= bytes) return reused;
    const size = Math.max(bytes, this.nextSlabBytes);
    this.nextSlabBytes = Math.min(this.options.maxSlabBytes, this.nextSlabBytes * 2);
    return { buffer: Buffer.allocUnsafeSlow(size), used: 0, outstanding: 0 };
  }
}
