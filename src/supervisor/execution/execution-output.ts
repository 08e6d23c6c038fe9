/**
 * Turns one execution's stdout/stderr reads into numbered chunks (seq), keeps them in the
 * memory window and the spool, and hands each to the execution's listeners.
 *
 * Reads of one event-loop turn are coalesced: the first read schedules a flush with
 * setImmediate, so a fast producer yields few large notifications and a slow one is sent at once.
 * A partial last line waits `tailFlushMs` for its newline before it is sent as it is.
 *
 * Reads may be views of a buffer the next read overwrites (output-pipes.ts): the chunker copies
 * them, the window copies each chunk, and listeners get the window's copy, valid during the call.
 */
import type { OutputStream } from "../../protocol/notifications.js";
import type { OutputChunk } from "../output/output-chunk.js";
import { OutputChunker, type TakeMode } from "../output/output-chunker.js";
import { ReplayWindow } from "../output/replay-window.js";
import type { Spool } from "../spool/spool.js";

export const MAX_CHUNK_BYTES = 64 * 1024;
/** Base64 grows data by 4/3; 48 KiB of bytes keep a base64 chunk within 64 KiB. */
const MAX_BASE64_CHUNK_BYTES = 48 * 1024;
const EAGER_FLUSH_BYTES = 4 * MAX_CHUNK_BYTES;

export interface OutputSettings {
  encoding: "utf8" | "base64";
  windowBytes: number;
  tailFlushMs: number;
  /** Spool bytes waiting for disk past which the child's pipes stop being read. */
  spoolBacklogLimitBytes: number;
}

export type OutputSink = (chunk: OutputChunk) => void;

export class ExecutionOutput {
  lastSeq = 0;
  readonly bytes = { stdout: 0, stderr: 0 };
  readonly window: ReplayWindow;
  private readonly chunkers: Record<OutputStream, OutputChunker>;
  private flushScheduled = false;
  private tailTimer: NodeJS.Timeout | null = null;
  private finished = false;

  constructor(
    private readonly settings: OutputSettings,
    private readonly spool: Spool | null,
    private readonly sink: OutputSink,
    private readonly backpressure: { pause(): void; resume(): void },
  ) {
    const utf8 = settings.encoding === "utf8";
    const max = utf8 ? MAX_CHUNK_BYTES : MAX_BASE64_CHUNK_BYTES;
    this.chunkers = { stdout: new OutputChunker(max, utf8), stderr: new OutputChunker(max, utf8) };
    this.window = new ReplayWindow(settings.windowBytes);
  }

  push(stream: OutputStream, data: Buffer): void {
    if (this.finished) return;
    const chunker = this.chunkers[stream];
    chunker.push(data);
    // A child writing at full speed fills many reads in one turn: chunks are full-sized by then,
    // and sending them now keeps the chunker's staging buffer small.
    if (chunker.pendingBytes >= EAGER_FLUSH_BYTES) return this.flush("lines");
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush("lines"));
  }

  /** Sends everything held so far, partial lines too (one process of a retried run ended). */
  flushHeld(): void {
    if (!this.finished) this.flush("final");
  }

  /** Sends everything still held: the streams have ended. */
  finish(): void {
    if (this.finished) return;
    this.flush("final");
    this.finished = true;
    this.chunkers.stdout.release();
    this.chunkers.stderr.release();
    if (this.tailTimer) clearTimeout(this.tailTimer);
  }

  private flush(mode: TakeMode): void {
    this.flushScheduled = false;
    if (this.finished) return;
    this.emit("stdout", mode);
    this.emit("stderr", mode);
    if (mode === "lines" && this.holdsPartialLine()) this.armTailFlush();
  }

  private holdsPartialLine(): boolean {
    return this.chunkers.stdout.pendingBytes > 0 || this.chunkers.stderr.pendingBytes > 0;
  }

  private armTailFlush(): void {
    // Counted from when a partial line was first held, never pushed back by later reads: a
    // trickle of output without newlines (a progress bar) would otherwise never be sent.
    if (this.tailTimer) return;
    this.tailTimer = setTimeout(() => {
      this.tailTimer = null;
      this.flush("all");
    }, this.settings.tailFlushMs);
  }

  private emit(stream: OutputStream, mode: TakeMode): void {
    const pieces = this.chunkers[stream].take(mode);
    for (const piece of pieces) {
      const chunk: OutputChunk = {
        seq: ++this.lastSeq,
        stream,
        raw: piece.raw,
        chunkIndex: piece.chunkIndex,
        totalChunks: piece.totalChunks,
      };
      this.bytes[stream] += piece.raw.length;
      this.window.push(chunk); // copies the piece out of the chunker: chunk.raw is the copy
      this.spoolChunk(chunk);
      this.sink(chunk);
    }
  }

  private spoolChunk(chunk: OutputChunk): void {
    const spool = this.spool;
    if (!spool) return;
    spool.append(chunk);
    const limit = this.settings.spoolBacklogLimitBytes;
    if (spool.backlogBytes > limit) {
      this.backpressure.pause();
      // Resume at half the limit: what is left is written while the next output is read.
      void spool.backlogAtMost(limit / 2).then(() => this.backpressure.resume());
    }
  }
}
