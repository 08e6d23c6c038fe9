/**
 * An execution a worker runs, as this server holds it (DESIGN §12): the same ExecutionHandle as
 * a local one. What the worker reports (queue-messages.ts) is applied in order — its output
 * keeps the worker's seq and goes into this server's memory window and spool, so `subscribe`
 * replays it as for a local run — and the one result comes from the worker, or from here when
 * the worker is gone (`interrupted`), whichever is first; anything later is ignored.
 */
import type { ExecutionStatus } from "../../protocol/methods.js";
import type { ExecutionEvent } from "../../supervisor/execution/execution-event.js";
import type { ExecutionListener } from "../../supervisor/execution/execution-listener.js";
import type { ExecutionResult } from "../../supervisor/execution/execution-result.js";
import type {
  ExecutionSettings,
  ExecutionSpec,
} from "../../supervisor/execution/execution-spec.js";
import { ListenerFanout } from "../../supervisor/execution/listener-fanout.js";
import type { OutputChunk } from "../../supervisor/output/output-chunk.js";
import { ReplayWindow } from "../../supervisor/output/replay-window.js";
import { Spool } from "../../supervisor/spool/spool.js";
import type { ExecutionHandle, OutputView } from "../execution-handle.js";

export interface RemoteControl {
  /** Sends cancel, pause or resume to whichever worker holds it (or removes a waiting job). */
  send(execution: RemoteExecution, action: "cancel" | "pause" | "resume"): void;
}

export class RemoteExecution implements ExecutionHandle {
  status: ExecutionStatus = "queued";
  pid: number | null = null;
  exitCode: number | null = null;
  signal: string | null = null;
  readonly submittedAt = new Date();
  startedAt: Date | null = null;
  endedAt: Date | null = null;
  result: ExecutionResult | null = null;
  readonly done: Promise<ExecutionResult>;
  readonly spool: Spool | null;
  readonly output: OutputView & { lastSeq: number };
  /** The worker that took it (null while it waits in the queue). */
  workerId: string | null = null;
  /** BullMQ's id of its job, to remove it while it waits. */
  jobId: string | null = null;
  /** When a worker took it (epoch ms; 0 while waiting). */
  takenAtMs = 0;
  private readonly listeners = new ListenerFanout();
  private resolveDone!: (result: ExecutionResult) => void;

  constructor(
    readonly spec: ExecutionSpec,
    settings: ExecutionSettings,
    private readonly control: RemoteControl,
  ) {
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    this.spool = settings.spool ? new Spool(settings.spool) : null;
    this.output = {
      lastSeq: 0,
      bytes: { stdout: 0, stderr: 0 },
      window: new ReplayWindow(settings.windowBytes),
    };
  }

  get id(): string {
    return this.spec.id;
  }

  get isFinal(): boolean {
    return this.result !== null;
  }

  addListener(listener: ExecutionListener): void {
    this.listeners.add(listener);
  }

  removeListener(listener: ExecutionListener): void {
    this.listeners.delete(listener);
  }

  /** Sent again on each call until it has ended: a cancel lost on pub/sub can be retried. */
  cancel(): boolean {
    if (this.isFinal) return false;
    this.control.send(this, "cancel");
    return true;
  }

  pause(): boolean {
    if (this.status !== "running") return false;
    this.control.send(this, "pause");
    return true;
  }

  resume(): boolean {
    if (this.status !== "paused") return false;
    this.control.send(this, "resume");
    return true;
  }

  taken(workerId: string): void {
    if (this.isFinal) return;
    this.workerId = workerId;
    this.takenAtMs = Date.now();
  }

  applyOutput(chunk: OutputChunk): void {
    if (this.isFinal) return;
    this.output.lastSeq = chunk.seq;
    this.output.bytes[chunk.stream] += chunk.raw.length;
    this.output.window.push(chunk); // copies the bytes into the ring: chunk.raw is the copy
    this.spool?.append(chunk);
    this.listeners.output(chunk);
  }

  applyEvent(event: ExecutionEvent): void {
    if (this.isFinal) return;
    if (event.type === "started") {
      this.status = "running";
      this.pid = event.pid;
      this.startedAt ??= new Date();
      if (event.workerId) this.workerId = event.workerId;
    } else if (event.type === "paused") {
      this.status = "paused";
    } else if (event.type === "resumed") {
      this.status = "running";
    }
    this.listeners.event(event);
  }

  /** The worker's result: the one end. */
  applyEnd(result: ExecutionResult): void {
    if (this.isFinal) return;
    this.finish({ ...result, workerId: result.workerId ?? this.workerId ?? undefined });
  }

  /** Ends it here, without its worker: the worker died, the job was removed, the server stops. */
  endHere(status: "interrupted" | "canceled" | "failed", error: string): void {
    if (this.isFinal) return;
    if (status === "canceled") this.listeners.event({ type: "canceled" });
    const endedAt = new Date();
    const startedMs = this.startedAt?.getTime() ?? null;
    this.finish({
      executionId: this.id,
      status,
      exitCode: null,
      signal: null,
      durationMs: startedMs === null ? 0 : endedAt.getTime() - startedMs,
      startedAt: this.startedAt,
      endedAt,
      lastSeq: this.output.lastSeq,
      stdoutBytes: this.output.bytes.stdout,
      stderrBytes: this.output.bytes.stderr,
      ...(status === "canceled" ? {} : { error }),
      ...(this.workerId ? { workerId: this.workerId } : {}),
    });
  }

  private finish(result: ExecutionResult): void {
    this.result = result;
    this.status = result.status;
    this.exitCode = result.exitCode;
    this.signal = result.signal;
    this.endedAt = result.endedAt;
    this.listeners.ended(result);
    this.resolveDone(result);
  }
}
