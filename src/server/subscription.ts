/**
 * Delivers one execution's notifications to one connection, in seq order, with no gap and no
 * duplicate (DESIGN §4 `subscribe`, §5 slow clients).
 *
 * Live chunks go straight out while the connection keeps up. When it falls behind (high-water
 * mark) or joins late, the subscription stops taking live chunks and catches up at the pace the
 * client reads: from the memory window, else from the spool. Memory per slow client is therefore
 * bounded by the high-water mark, never by how much the child writes. `process.completed` goes
 * out once, after the last chunk.
 */
import type {
  ExecutionEvent,
  ExecutionHandle,
  ExecutionListener,
  OutputChunk,
} from "../engine/execution-handle.js";
import { notificationFrame } from "../protocol/jsonrpc.js";
import type { OutputEncoding } from "../supervisor/output/output-chunk.js";
import type { Outbound } from "./outbound.js";
import { outputFrame } from "./output-frame.js";
import { completedParams, eventNotification } from "./wire/execution-notifications.js";

const SPOOL_READ_BYTES = 256 * 1024;

export class Subscription implements ExecutionListener {
  private nextSeq: number;
  private catchingUp = false;
  private closed = false;
  private readonly idJson: string;
  private readonly encoding: OutputEncoding;
  /** What spool reads go into while catching up; dropped once caught up. */
  private spoolScratch: Buffer | null = null;

  constructor(
    readonly execution: ExecutionHandle,
    private readonly outbound: Outbound,
    afterSeq: number,
    private readonly onDone: (subscription: Subscription) => void,
    /** A delivery that failed (a bug, a read error): the connection decides what to do. */
    private readonly onFailed: (error: Error) => void = () => {},
  ) {
    this.nextSeq = afterSeq + 1;
    this.idJson = JSON.stringify(execution.id);
    this.encoding = execution.spec.encoding;
  }

  /** Starts delivery: `process.started` for a fresh subscriber, then backlog, then live. */
  open(announceStart: boolean): void {
    const { execution } = this;
    if (announceStart && execution.pid !== null) {
      const workerId = execution.workerId ?? undefined;
      this.event({ type: "started", pid: execution.pid, pgid: execution.pid, workerId });
    }
    execution.addListener(this);
    this.startCatchUp();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.execution.removeListener(this);
  }

  output(chunk: OutputChunk): void {
    if (this.closed || this.catchingUp) return;
    if (chunk.seq === this.nextSeq && this.outbound.writable) {
      this.sendChunk(chunk);
      return;
    }
    this.startCatchUp();
  }

  event(event: ExecutionEvent): void {
    if (this.closed) return;
    const { method, params } = eventNotification(this.execution.id, event);
    this.outbound.send(notificationFrame(method, params));
  }

  ended(): void {
    if (!this.catchingUp) this.startCatchUp();
  }

  private sendChunk(chunk: OutputChunk): void {
    this.outbound.sendOutput(outputFrame(this.idJson, chunk, this.encoding));
    this.nextSeq = chunk.seq + 1;
  }

  private startCatchUp(): void {
    this.catchUp().catch((error: unknown) => {
      this.close();
      this.onDone(this);
      this.onFailed(error as Error);
    });
  }

  private async catchUp(): Promise<void> {
    if (this.catchingUp || this.closed) return;
    this.catchingUp = true;
    try {
      while (!this.closed && this.nextSeq <= this.execution.output.lastSeq) {
        if (!this.outbound.writable) {
          await this.outbound.whenWritable();
          if (!this.outbound.open) return this.close();
          continue;
        }
        const chunk = this.execution.output.window.get(this.nextSeq);
        if (chunk) this.sendChunk(chunk);
        else await this.sendFromSpool();
      }
    } finally {
      this.catchingUp = false;
      this.spoolScratch = null;
    }
    this.finishIfDone();
  }

  private async sendFromSpool(): Promise<void> {
    const { spool, output } = this.execution;
    if (spool) this.spoolScratch ??= Buffer.allocUnsafeSlow(SPOOL_READ_BYTES);
    const read = spool
      ? await spool.read(this.nextSeq, SPOOL_READ_BYTES, this.spoolScratch)
      : { records: [], gap: null };
    if (read.gap) this.reportGap(read.gap.from, read.gap.to);
    // Records are views of the scratch buffer: each is made into a frame before the next read.
    for (const record of read.records) {
      if (!this.outbound.writable) break; // the rest is read again once the client caught up
      if (record.seq !== this.nextSeq) continue;
      this.sendChunk(record);
    }
    if (read.records.length > 0 || read.gap) return;
    if (spool && spool.backlogBytes > 0 && spool.error === null) {
      await spool.flushed();
      return;
    }
    // Neither window nor spool has it (spooling failed or is off): say so and move on.
    const firstHeld = output.window.firstSeq ?? output.lastSeq + 1;
    this.reportGap(this.nextSeq, Math.max(this.nextSeq, firstHeld - 1));
  }

  private reportGap(from: number, to: number): void {
    if (to < from) return;
    const gap = { execution_id: this.execution.id, from_seq: from, to_seq: to };
    if (!this.closed) this.outbound.send(notificationFrame("process.gap", gap));
    this.nextSeq = to + 1;
  }

  private finishIfDone(): void {
    const result = this.execution.result;
    if (this.closed || !result || this.nextSeq <= result.lastSeq) return;
    this.outbound.send(notificationFrame("process.completed", completedParams(result)));
    this.close();
    this.onDone(this);
  }
}
