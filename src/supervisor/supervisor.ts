/**
 * Every execution of the server: admission against the concurrency caps, the queue past the
 * global cap, the registry of running and recently ended executions, and shutdown.
 */
import type { ExecutionStatus } from "../protocol/methods.js";
import { AdmissionError } from "./admission-error.js";
import { Execution } from "./execution/execution.js";
import type { ExecutionSettings, ExecutionSpec } from "./execution/execution-spec.js";
import { OutputPipePool } from "./output/output-pipes.js";
import { Guardian } from "./process/guardian.js";
import type { Spool } from "./spool/spool.js";
import type { SpoolJanitor } from "./spool/spool-janitor.js";

export interface SupervisorLimits {
  maxConcurrent: number;
  maxPerConnection: number;
  maxQueue: number;
  /** Ended executions kept for subscribe/replay and listings; the oldest go first. */
  retainEnded: number;
  /**
   * Output held in memory by ended executions whose spool does not hold all of it (stopped by
   * the total cap, or a write error): past this, the oldest let go of theirs (a replay then gets
   * a `process.gap`). Default: no bound.
   */
  maxRetainedWindowBytes?: number;
}

export interface SupervisorObserver {
  created?(execution: Execution): void;
  ended?(execution: Execution): void;
}

export type Admission = { execution: Execution; queuedAt: number | null };

export class Supervisor {
  readonly guardian = new Guardian();
  /** Children write into pipes read into one reused buffer (output-pipes.ts). */
  readonly outputPipes = new OutputPipePool();
  private readonly executions = new Map<string, Execution>();
  private readonly queue: Execution[] = [];
  private readonly ended: Execution[] = [];
  /** Ended executions that keep their memory window (their spool is incomplete), oldest first. */
  private keptWindows: Execution[] = [];
  private keptWindowBytes = 0;
  private readonly observers: SupervisorObserver[] = [];
  private running = 0;
  /** Running or queued executions per connection, for the per-connection cap. */
  private readonly activeBySession = new Map<string, number>();
  private closing = false;

  /**
   * With a janitor, spool files outlive the in-memory record (history reads them) and the
   * janitor bounds them; without one they are removed when the record is evicted.
   */
  constructor(
    private readonly limits: SupervisorLimits,
    private readonly settingsFor: (spec: ExecutionSpec) => ExecutionSettings,
    private readonly spoolJanitor: SpoolJanitor | null = null,
  ) {
    this.guardian.start();
    this.outputPipes.start();
  }

  observe(observer: SupervisorObserver): void {
    this.observers.push(observer);
  }

  get runningCount(): number {
    return this.running;
  }

  get queuedCount(): number {
    return this.queue.length;
  }

  get retainedCount(): number {
    return this.executions.size;
  }

  get limitsInUse(): SupervisorLimits {
    return this.limits;
  }

  get(id: string): Execution | undefined {
    return this.executions.get(id);
  }

  has(id: string): boolean {
    return this.executions.has(id);
  }

  /**
   * Starts the execution now, or queues it past the global cap. `beforeStart` runs once the
   * execution exists and before its process does, so callers can attach listeners first.
   */
  submit(spec: ExecutionSpec, beforeStart?: (execution: Execution) => void): Admission {
    if (this.closing) throw new AdmissionError("limit_reached", "server is shutting down");
    if (this.executions.has(spec.id)) {
      throw new AdmissionError("invalid_request", `execution_id ${spec.id} is already in use`);
    }
    this.checkConnectionCap(spec.sessionId);
    const startNow = this.running < this.limits.maxConcurrent;
    if (!startNow && this.queue.length >= this.limits.maxQueue) {
      throw new AdmissionError(
        "limit_reached",
        `execution queue is full (${this.limits.maxQueue} waiting, ${this.running} running)`,
      );
    }
    const execution = new Execution(spec, this.settingsFor(spec), this.guardian, this.outputPipes);
    this.executions.set(spec.id, execution);
    this.countSession(spec.sessionId, +1);
    void execution.done.then(() => this.onEnded(execution));
    for (const observer of this.observers) observer.created?.(execution);
    beforeStart?.(execution);
    if (startNow) {
      this.launch(execution);
      return { execution, queuedAt: null };
    }
    this.queue.push(execution);
    return { execution, queuedAt: this.queue.length };
  }

  list(filter: { status?: ExecutionStatus[]; limit: number }): Execution[] {
    const all = [...this.executions.values()].reverse();
    const wanted = filter.status ? all.filter((e) => filter.status?.includes(e.status)) : all;
    return wanted.slice(0, filter.limit);
  }

  /** Interrupts everything queued or running and waits until each has ended. */
  async shutdown(): Promise<void> {
    this.closing = true;
    const pending = [...this.executions.values()].filter((e) => !e.isFinal);
    for (const execution of [...this.queue].reverse()) execution.interrupt();
    for (const execution of pending) execution.interrupt();
    await Promise.all(pending.map((e) => e.done));
    // Every spool, also of executions that ended just before: their last writes may be under
    // way, and a stopped server leaves no write behind (its home may be removed right after).
    await Promise.all([...this.executions.values()].map((e) => e.spool?.finish()));
    this.spoolJanitor?.stop();
    await this.spoolJanitor?.idle();
    this.guardian.close();
    await this.outputPipes.close();
  }

  private checkConnectionCap(sessionId: string | null): void {
    if (sessionId === null) return;
    const count = this.activeBySession.get(sessionId) ?? 0;
    if (count >= this.limits.maxPerConnection) {
      throw new AdmissionError(
        "limit_reached",
        `this connection already has ${count} executions running or queued (limit ${this.limits.maxPerConnection})`,
      );
    }
  }

  private countSession(sessionId: string | null, delta: number): void {
    if (sessionId === null) return;
    const count = (this.activeBySession.get(sessionId) ?? 0) + delta;
    if (count > 0) this.activeBySession.set(sessionId, count);
    else this.activeBySession.delete(sessionId);
  }

  private launch(execution: Execution): void {
    this.running++;
    execution.start();
  }

  private onEnded(execution: Execution): void {
    const index = this.queue.indexOf(execution);
    if (index >= 0) this.queue.splice(index, 1);
    else this.running--;
    this.countSession(execution.spec.sessionId, -1);
    for (const observer of this.observers) observer.ended?.(execution);
    this.retain(execution);
    this.startQueued();
  }

  private startQueued(): void {
    while (!this.closing && this.running < this.limits.maxConcurrent && this.queue.length > 0) {
      this.launch(this.queue.shift() as Execution);
    }
  }

  private async settleSpool(execution: Execution, spool: Spool): Promise<void> {
    if (spool.complete) {
      // Everything is on disk: late subscribers replay from the spool, and a retained
      // execution holds no output in memory (1000 of them could otherwise hold 8 MiB each).
      execution.output.window.clear();
      // A run without output has no folder: nothing to keep, and no entry to count against the cap.
      if (spool.sizeBytes > 0) this.spoolJanitor?.adopt(spool.dir, spool.sizeBytes);
      return;
    }
    // The spool lacks the end of the output: the memory window is the replay, and history has
    // the head and tail the store kept, so the partial files give back their disk now.
    if (this.spoolJanitor) await spool.remove();
    this.keepWindow(execution);
  }

  private keepWindow(execution: Execution): void {
    if (this.executions.get(execution.id) !== execution) return; // evicted meanwhile
    const max = this.limits.maxRetainedWindowBytes ?? Number.POSITIVE_INFINITY;
    this.keptWindows.push(execution);
    this.keptWindowBytes += execution.output.window.retainedBytes;
    while (this.keptWindowBytes > max && this.keptWindows.length > 0) {
      const oldest = this.keptWindows.shift() as Execution;
      this.keptWindowBytes -= oldest.output.window.retainedBytes;
      oldest.output.window.clear();
    }
  }

  private retain(execution: Execution): void {
    const spool = execution.spool;
    // A folder that cannot be removed (permissions changed under us) must not take the server
    // down as an unhandled rejection; the janitor finds it again at the next start.
    if (spool) {
      void spool
        .finish()
        .then(() => this.settleSpool(execution, spool))
        .catch(() => {});
    }
    this.ended.push(execution);
    while (this.ended.length > this.limits.retainEnded) {
      const evicted = this.ended.shift() as Execution;
      this.executions.delete(evicted.id);
      this.forgetWindow(evicted);
      if (!this.spoolJanitor) void evicted.spool?.remove();
    }
  }

  private forgetWindow(execution: Execution): void {
    const index = this.keptWindows.indexOf(execution);
    if (index < 0) return;
    this.keptWindows.splice(index, 1);
    this.keptWindowBytes -= execution.output.window.retainedBytes;
  }
}
