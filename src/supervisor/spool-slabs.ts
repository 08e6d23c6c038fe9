/**
 * The memory the spool copies output into while it waits for the disk: a few slabs, reused.
 *
 * Output arrives as views of buffers that are about to be reused (the read buffer, the window's
 * ring), so the spool must copy it. A buffer per record would leave one allocation per chunk for
 * the garbage collector to find; slabs are handed back as soon as their bytes are written and
 * serve the next records. Slabs start small (most executions write little) and double up to
 * `MAX_SLAB_BYTES`.
 */

const MIN_SLAB_BYTES = 4 * 1024;
const MAX_SLAB_BYTES = 256 * 1024;
/** Written slabs kept for reuse; more than this waiting means a burst that is over. */
const MAX_FREE_SLABS = 4;

export interface Slab {
  readonly buffer: Buffer;
  /** Bytes handed out from the front of the buffer. */
  used: number;
  /** Bytes handed out and not yet released (written to disk). */
  outstanding: number;
}

/** A run of bytes in one slab. */
export interface SlabRange {
  slab: Slab;
  start: number;
  end: number;
}

export class SpoolSlabs {
  private current: Slab | null = null;
  private readonly free: Slab[] = [];
  private nextSlabBytes = MIN_SLAB_BYTES;

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

  /** The range's bytes are written; a slab with nothing outstanding is reused. */
  release(range: SlabRange): void {
    const { slab } = range;
    slab.outstanding -= range.end - range.start;
    if (slab.outstanding > 0) return;
    if (slab === this.current) slab.used = 0;
    else this.retire(slab);
  }

  /** A slab stops being written to: reuse it now if nothing in it waits for the disk. */
  private retire(slab: Slab): void {
    if (slab === this.current) this.current = null;
    if (slab.outstanding > 0) return; // its last release retires it
    slab.used = 0;
    if (this.free.length < MAX_FREE_SLABS) this.free.push(slab);
  }

  private takeSlab(bytes: number): Slab {
    const reused = this.free.pop();
    if (reused && reused.buffer.length >= bytes) return reused;
    const size = Math.max(bytes, this.nextSlabBytes);
    this.nextSlabBytes = Math.min(MAX_SLAB_BYTES, this.nextSlabBytes * 2);
    return { buffer: Buffer.allocUnsafeSlow(size), used: 0, outstanding: 0 };
  }
}
