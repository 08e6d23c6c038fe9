/**
 * Frames going to one WebSocket, with the bytes still queued in user space counted so output
 * senders can stop at a high-water mark and resume when the kernel has taken the backlog.
 * ws reports each frame's hand-off through the send callback; that is the only signal used.
 */
import type { WebSocket } from "ws";
import { type OutputFrame, releaseFrame } from "./output-frame.js";

/**
 * When output frames were strings they waited here on the V8 heap: above ~1 MiB they outlived
 * young-generation collections and were promoted, so a client reading slowly from the spool grew
 * the old generation to ~100 MB (measured at 4 MiB); at 1 MiB the heap stayed flat and a fast
 * reader's throughput was the same. Output frames are bytes in reused slabs now; the mark also
 * bounds those slabs.
 */
const HIGH_WATER_BYTES = 1024 * 1024;
const LOW_WATER_BYTES = 256 * 1024;

export class Outbound {
  private pending = 0;
  /**
   * Output bytes the kernel has taken so far. Once the kernel's buffers are full it rises only
   * while the peer reads, so it serves as a sign of life (see RpcConnection's heartbeat).
   */
  deliveredOutputBytes = 0;
  private waiters: Array<() => void> = [];
  private readonly onSent = (bytes: number) => (error?: Error) => {
    this.pending -= bytes;
    if (error) this.wake();
    else if (this.pending <= LOW_WATER_BYTES) this.wake();
  };

  constructor(
    private readonly socket: WebSocket,
    private readonly hardCapBytes: number,
    private readonly onOverflow: () => void,
  ) {}

  get open(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  /** Below the high-water mark: output may be sent now. */
  get writable(): boolean {
    return this.open && this.pending < HIGH_WATER_BYTES;
  }

  get pendingBytes(): number {
    return this.pending;
  }

  /** A frame other than output (responses, events): counted by its length, near enough. */
  send(frame: string, bytes = frame.length): void {
    if (!this.open) return;
    this.write(frame, bytes, this.onSent(bytes));
  }

  /** An output frame: its delivery counts as the peer reading; its bytes are released after. */
  sendOutput(frame: OutputFrame): void {
    if (!this.open) return releaseFrame(frame);
    const bytes = frame.bytes.length;
    const done = this.onSent(bytes);
    this.pending += bytes;
    this.socket.send(frame.bytes, { binary: false }, (error) => {
      releaseFrame(frame);
      if (!error) this.deliveredOutputBytes += bytes;
      done(error);
    });
    if (this.pending > this.hardCapBytes) this.onOverflow();
  }

  private write(frame: string, bytes: number, callback: (error?: Error) => void): void {
    this.pending += bytes;
    this.socket.send(frame, callback);
    if (this.pending > this.hardCapBytes) this.onOverflow();
  }

  /** Resolves when the backlog has drained below the low-water mark, or the socket closed. */
  whenWritable(): Promise<void> {
    if (this.writable || !this.open) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Wakes every waiter; called on drain and on close. */
  wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
