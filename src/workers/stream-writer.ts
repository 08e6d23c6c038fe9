/**
 * A worker's side of the output stream: each message XADDed in order on one connection (Redis
 * runs one connection's commands in order, so seq order holds), the stream capped so a server
 * that is away cannot make Redis grow without end.
 */
import type { Redis } from "ioredis";
import { messageFields, type WorkerMessage } from "../engine/queued/queue-messages.js";

/** Entries kept when no server reads them (≈ 6 GB of 64 KiB chunks at worst). */
const MAX_STREAM_ENTRIES = 100_000;

export class StreamWriter {
  private last: Promise<unknown> = Promise.resolve();
  error: string | null = null;
  /** Output bytes sent and not yet acknowledged by Redis. */
  inFlightBytes = 0;
  private drainWaiters: Array<{ atMostBytes: number; resolve: () => void }> = [];

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
  ) {}

  send(message: WorkerMessage): void {
    const bytes = message.type === "output" ? message.chunk.raw.length : 0;
    this.inFlightBytes += bytes;
    this.last = this.redis
      .xadd(this.key, "MAXLEN", "~", MAX_STREAM_ENTRIES, "*", ...messageFields(message))
      .catch((error: Error) => {
        this.error = error.message;
      })
      .finally(() => {
        if (bytes > 0) this.acknowledged(bytes);
      });
  }

  /** Resolves once at most `atMostBytes` of output are in flight. */
  drained(atMostBytes: number): Promise<void> {
    if (this.inFlightBytes <= atMostBytes) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push({ atMostBytes, resolve }));
  }

  private acknowledged(bytes: number): void {
    this.inFlightBytes -= bytes;
    const ready = this.drainWaiters.filter((w) => this.inFlightBytes <= w.atMostBytes);
    if (ready.length === 0) return;
    this.drainWaiters = this.drainWaiters.filter((w) => this.inFlightBytes > w.atMostBytes);
    for (const waiter of ready) waiter.resolve();
  }

  /** Resolves when everything sent so far has been written (or failed). */
  flushed(): Promise<unknown> {
    return this.last;
  }

  /** Replies still awaited: how far the stream is behind. */
  get pending(): number {
    return (
      (this.redis as unknown as { commandQueue?: { length: number } }).commandQueue?.length ?? 0
    );
  }
}
