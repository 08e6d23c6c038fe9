/**
 * One job on a worker: says it took it, starts it through the worker's engine, forwards its
 * output, events and one result to the stream, and answers the control messages meant for it.
 * An execution canceled while it waited in the queue (a mark in Redis) is not started.
 */
import type { Redis } from "ioredis";
import type { ExecutionResult } from "../engine/execution-handle.js";
import type { LocalEngine, LocalStarted } from "../engine/local-engine.js";
import type { ExecutionJob } from "../engine/queued/execution-job.js";
import type { ControlMessage, QueueKeys } from "../engine/queued/queue-keys.js";
import type { StreamWriter } from "./stream-writer.js";

type Action = ControlMessage["action"];

/** Output bytes on their way to Redis past which the child's pipes are not read. */
const HOLD_BYTES = 8 * 1024 * 1024;

export interface JobContext {
  workerId: string;
  engine: LocalEngine;
  commands: Redis;
  keys: QueueKeys;
  stream: StreamWriter;
}

export class JobRunner {
  /** Control that arrived before the execution existed here, applied once it does. */
  private readonly early: Action[] = [];
  /** What engine.start gave, once started. */
  private execution: LocalStarted["handle"] | null = null;
  private holding = false;
  /** Canceled or interrupted: its output is never held again, so it can end. */
  private ending = false;
  private childEnded!: () => void;
  /** Resolves once its child has ended (or it never started one). */
  readonly ended = new Promise<void>((resolve) => {
    this.childEnded = resolve;
  });

  constructor(
    private readonly job: ExecutionJob,
    private readonly context: JobContext,
  ) {}

  /** The server instance that queued it (absent from jobs of older servers). */
  get server(): string | undefined {
    return this.job.server;
  }

  get executionId(): string {
    return this.job.request.params.execution_id as string;
  }

  async run(): Promise<void> {
    try {
      await this.runJob();
    } finally {
      this.childEnded();
    }
  }

  private async runJob(): Promise<void> {
    const { stream, workerId, engine } = this.context;
    const id = this.executionId;
    stream.send({ type: "taken", id, workerId });
    // A job canceled while it waited is marked (queued-engine.ts). The mark is read beside the
    // start, not before it, to keep a Redis round trip off every execution's start: a job
    // canceled that late is started and canceled at once (the status is `canceled` all the same).
    void this.context.commands
      .get(this.context.keys.canceled(id))
      .then((mark) => {
        if (mark) this.apply(mark === "interrupt" ? "interrupt" : "cancel");
      })
      .catch(() => {});
    let done: Promise<ExecutionResult>;
    try {
      const { handle } = await engine.start(this.job.request, {
        origin: { sessionId: null, task: this.job.task },
        sessionId: null,
        who: `worker ${workerId}`,
        listener: {
          output: (chunk) => {
            stream.send({ type: "output", id, chunk });
            this.holdWhileBehind();
          },
          event: (event) =>
            stream.send({
              type: "event",
              id,
              event: event.type === "started" ? { ...event, workerId } : event,
            }),
          ended: (result) => stream.send({ type: "ended", id, result: { ...result, workerId } }),
        },
      });
      done = handle.done;
      this.execution = handle;
    } catch (error) {
      return this.endWithout("failed", (error as Error).message);
    }
    for (const action of this.early.splice(0)) this.apply(action);
    await done;
    this.childEnded();
    await stream.flushed();
  }

  /**
   * A child writing faster than Redis takes its output would fill this worker's memory: past
   * HOLD_BYTES in flight its pipes are not read (it blocks, as on a slow terminal) until the
   * stream is down to half of that. Likewise while no server reads the stream (backlogged).
   */
  private holdWhileBehind(): void {
    const { stream } = this.context;
    const { execution } = this;
    if (this.holding || this.ending || !execution) return;
    if (stream.inFlightBytes <= HOLD_BYTES && !stream.backlogged) return;
    this.holding = true;
    execution.holdOutput();
    void stream.drained(HOLD_BYTES / 2).then(() => this.release());
  }

  private release(): void {
    if (!this.holding) return;
    this.holding = false;
    this.execution?.releaseOutput();
  }

  /** A control message for this execution. */
  apply(action: Action): void {
    const { execution } = this;
    if (!execution) {
      this.early.push(action);
      return;
    }
    // An ending child must be able to write its last output and end: its pipes are read again
    // (the output may then wait in this worker's memory, bounded by what the child still writes).
    if (action === "cancel" || action === "interrupt") {
      this.ending = true;
      this.release();
    }
    if (action === "cancel") execution.cancel();
    else if (action === "pause") execution.pause();
    else if (action === "resume") execution.resume();
    else execution.interrupt();
  }

  /** Ends it without a process: refused here (e.g. its cwd does not exist on this machine). */
  private async endWithout(status: ExecutionResult["status"], error?: string): Promise<void> {
    const id = this.executionId;
    this.context.stream.send({
      type: "ended",
      id,
      result: {
        executionId: id,
        status,
        exitCode: null,
        signal: null,
        durationMs: 0,
        startedAt: null,
        endedAt: new Date(),
        lastSeq: 0,
        stdoutBytes: 0,
        stderrBytes: 0,
        workerId: this.context.workerId,
        ...(error === undefined ? {} : { error }),
      },
    });
    await this.context.stream.flushed();
  }
}
