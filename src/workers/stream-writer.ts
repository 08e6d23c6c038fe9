/**
 * A worker's side of the output stream: each message XADDed in order on one connection (Redis
 * runs one connection's commands in order, so seq order holds). Nothing is trimmed here — the
 * server trims only what it has read (output-reader.ts) — so a server that is away cannot lose
 * output; instead, past MAX_STREAM_ENTRIES unread entries the stream counts as `backlogged` and
 * the job runner holds its children's output (they block, as on a slow terminal) until the
 * server has caught up, so Redis does not grow without end either.
 */
import type { Redis } from "ioredis";
import { messageFields, type WorkerMessage } from "../engine/queued/queue-messages.js";

/** Unread entries past which output is held (≈ 6 GB of 64 KiB chunks at worst). */
export const MAX_STREAM_ENTRIES = 100_000;
/** The stream's length is asked every this many output entries, and while backlogged. */
const CHECK_EVERY_ENTRIES = 512;
const BACKLOG_POLL_MS = 500;
/** An `ended` XADD that Redis refused is tried again this often before it is given up. */
const ENDED_ATTEMPTS = 10;
const ENDED_RETRY_MS = 1000;

export class StreamWriter {
  private last: Promise<unknown> = Promise.resolve();
  /** The last XADD error (null when the last one went in). */
  error: string | null = null;
  /** Output bytes sent and not yet acknowledged by Redis. */
  inFlightBytes = 0;
  /** More unread entries than MAX_STREAM_ENTRIES: hold output until the server reads them. */
  backlogged = false;
  private sinceCheck = 0;
  private givenUp = false;
  private giveUpNow!: () => void;
  private readonly abandoned = new Promise<void>((resolve) => {
    this.giveUpNow = resolve;
  });
  private drainWaiters: Array<{ atMostBytes: number; resolve: () => void }> = [];

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly log: (message: string) => void = () => {},
  ) {}

  send(message: WorkerMessage): void {
    const bytes = message.type === "output" ? message.chunk.raw.length : 0;
    this.inFlightBytes += bytes;
    const fields = messageFields(message);
    const attempts = message.type === "ended" ? ENDED_ATTEMPTS : 1;
    const added = this.add(fields, attempts, message).finally(() => {
      if (bytes > 0) this.acknowledged(bytes);
    });
    // All of them: an `ended` tried again may finish after later entries.
    this.last = Promise.all([this.last, added]);
    // While backlogged its own poll runs (one at a time).
    if (bytes > 0 && !this.backlogged && ++this.sinceCheck >= CHECK_EVERY_ENTRIES) {
      this.sinceCheck = 0;
      void this.checkBacklog();
    }
  }

  /** Resolves once at most `atMostBytes` of output are in flight and the stream is not backlogged. */
  drained(atMostBytes: number): Promise<void> {
    if (this.isDrained(atMostBytes)) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push({ atMostBytes, resolve }));
  }

  /** Resolves when everything sent so far has been written (or failed, or was given up). */
  flushed(): Promise<unknown> {
    return Promise.race([this.last, this.abandoned]);
  }

  /**
   * The worker stops and Redis does not answer: stop waiting for it. flushed() and drained()
   * resolve at once from now on (held children are released and can end).
   */
  giveUp(): void {
    this.givenUp = true;
    this.giveUpNow();
    this.wake();
  }

  private async add(
    fields: Array<string | Buffer>,
    attempts: number,
    message: WorkerMessage,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.redis.xadd(this.key, "*", ...fields);
        this.error = null;
        return;
      } catch (error) {
        this.error = (error as Error).message;
        const last = attempt >= attempts || this.givenUp;
        this.log(
          `output stream: ${message.type} of ${message.id} not written${last ? "" : ", trying again"}: ${this.error}`,
        );
        if (last) return;
        await new Promise((resolve) => setTimeout(resolve, ENDED_RETRY_MS));
      }
    }
  }

  private async checkBacklog(): Promise<void> {
    try {
      const length = await this.redis.xlen(this.key);
      const was = this.backlogged;
      // Held past the cap, released at half of it (no flapping at the edge).
      this.backlogged = was ? length > MAX_STREAM_ENTRIES / 2 : length > MAX_STREAM_ENTRIES;
      if (this.backlogged && !was)
        this.log(`output stream: ${length} entries unread by any server; holding output`);
    } catch {
      return; // Redis away: the in-flight bytes hold output meanwhile
    }
    if (this.backlogged && !this.givenUp) {
      setTimeout(() => void this.checkBacklog(), BACKLOG_POLL_MS).unref();
    } else this.wake();
  }

  private isDrained(atMostBytes: number): boolean {
    return this.givenUp || (this.inFlightBytes <= atMostBytes && !this.backlogged);
  }

  private acknowledged(bytes: number): void {
    this.inFlightBytes -= bytes;
    this.wake();
  }

  private wake(): void {
    const ready = this.drainWaiters.filter((w) => this.isDrained(w.atMostBytes));
    if (ready.length === 0) return;
    this.drainWaiters = this.drainWaiters.filter((w) => !this.isDrained(w.atMostBytes));
    for (const waiter of ready) waiter.resolve();
  }
}
