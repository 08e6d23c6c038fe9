/**
 * Reads the workers' output stream (queue-keys.ts) with one blocking XREAD loop on its own
 * connection, hands each message on in order, and trims what it has read so Redis holds only
 * what is in flight. `beforeNext` lets the caller hold the loop (a spool behind on disk): the
 * stream then buffers in Redis and the workers are not slowed.
 */
import type { Redis } from "ioredis";
import { parseMessage, type WorkerMessage } from "./queue-messages.js";

const BLOCK_MS = 1000;
const BATCH = 64;
const RETRY_MS = 500;

export class OutputReader {
  private closed = false;
  private lastId = "0";
  private loop: Promise<void> | null = null;
  /**
   * When the last read began that found the stream read to its end (fewer entries than asked
   * for): everything workers wrote before then has been delivered. 0: not yet.
   */
  caughtUpAtMs = 0;

  constructor(
    private readonly reader: Redis,
    private readonly commands: Redis,
    private readonly key: string,
    private readonly deliver: (message: WorkerMessage) => void,
    private readonly beforeNext: () => Promise<void> = async () => {},
    private readonly onError: (error: Error | null) => void = () => {},
    /** An entry that is not a message (another client, another version): skipped, said here. */
    private readonly onBadEntry: (id: string, error: Error) => void = () => {},
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.reader.disconnect();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      let reply: Array<[Buffer, Array<[Buffer, Buffer[]]>]> | null;
      const readAtMs = Date.now();
      try {
        reply = (await this.reader.xreadBuffer(
          "COUNT",
          BATCH,
          "BLOCK",
          BLOCK_MS,
          "STREAMS",
          this.key,
          this.lastId,
        )) as typeof reply;
      } catch (error) {
        if (this.closed) return;
        this.onError(error as Error);
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        continue;
      }
      this.onError(null); // read again: a blip before is over
      if (!reply) {
        this.caughtUpAtMs = readAtMs;
        continue;
      }
      let count = 0;
      for (const [, entries] of reply) {
        count += entries.length;
        for (const [id, fields] of entries) {
          this.lastId = id.toString();
          // One bad entry must not stop the loop (nobody awaits it: that would end the server).
          try {
            const message = parseMessage(fields);
            if (message) this.deliver(message);
          } catch (error) {
            this.onBadEntry(this.lastId, error as Error);
          }
        }
      }
      if (count < BATCH) this.caughtUpAtMs = readAtMs;
      // MINID keeps the last entry read (ids are ≥), harmless: it is trimmed next time.
      this.commands.xtrim(this.key, "MINID", this.lastId).catch(() => {});
      await this.beforeNext();
    }
  }
}
