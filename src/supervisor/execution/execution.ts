/**
 * One execution from queue to its single final state (DESIGN §4, §5).
 *
 * Whatever ends it — exit, cancel, a timeout, a spawn error, server shutdown — `finish` runs
 * once and produces the one result. Cancel and timeouts TERM the group, then KILL it after the
 * grace; pause and resume STOP/CONT the group and stop its clocks.
 */
import { MAX_DURATION_MS } from "../../protocol/durations.js";
import type { ExecutionStatus } from "../../protocol/methods.js";
import type { OutputPipePool } from "../output/output-pipes.js";
import { GroupChild } from "../process/group-child.js";
import type { Guardian } from "../process/guardian.js";
import { GroupSampler } from "../process/resource-sampler.js";
import { Spool } from "../spool/spool.js";
import type { ExecutionEvent } from "./execution-event.js";
import type { ExecutionListener } from "./execution-listener.js";
import { ExecutionOutput } from "./execution-output.js";
import type { ExecutionOwner } from "./execution-owner.js";
import { executionResult, finalStatus } from "./execution-reports.js";
import type { ExecutionResult } from "./execution-result.js";
import {
  type EndReason,
  type ExecutionSettings,
  type ExecutionSpec,
  outputSettings,
  timerSettings,
} from "./execution-spec.js";
import { ExecutionTimers } from "./execution-timers.js";
import { ListenerFanout } from "./listener-fanout.js";
import { OverdueNotice } from "./overdue-notice.js";
import { settleWithOwner } from "./owner-settlement.js";
import { silenceReport } from "./status-report.js";

export class Execution {
  status: ExecutionStatus = "queued";
  pid: number | null = null;
  exitCode: number | null = null;
  signal: string | null = null;
  /** When it was submitted (queued or started at once): how long a queued one has waited. */
  readonly submittedAt = new Date();
  startedAt: Date | null = null;
  endedAt: Date | null = null;
  error: string | null = null;
  /** The error the last process could not be started with. */
  private cause: Error | null = null;
  /** Set once, when the execution has ended. */
  result: ExecutionResult | null = null;
  readonly output: ExecutionOutput;
  readonly spool: Spool | null;
  readonly done: Promise<ExecutionResult>;
  private readonly listeners = new ListenerFanout();
  private readonly timers: ExecutionTimers;
  private child: GroupChild | null = null;
  private sampler: GroupSampler | null = null;
  private endReason: EndReason | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  private readonly overdue = new OverdueNotice(() => {
    void this.reportSilence(performance.now() - this.timers.lastOutputMs);
  });
  private startedAtMs = 0;
  private owner: ExecutionOwner | null = null;
  /** Set while waiting to start the next process of a retried execution. */
  private retryTimer: NodeJS.Timeout | null = null;
  private resolveDone!: (result: ExecutionResult) => void;

  constructor(
    readonly spec: ExecutionSpec,
    private readonly settings: ExecutionSettings,
    private readonly guardian: Guardian,
    private readonly pipes: OutputPipePool | null = null,
  ) {
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    this.spool = settings.spool ? new Spool(settings.spool) : null;
    this.output = new ExecutionOutput(
      outputSettings(spec, settings),
      this.spool,
      (chunk) => this.listeners.output(chunk),
      { pause: () => this.child?.pauseOutput(), resume: () => this.child?.resumeOutput() },
    );
    this.timers = new ExecutionTimers(timerSettings(spec, settings), {
      onTimeout: (kind) => this.stop({ status: "timed_out", kind }),
      onSilence: (ms) => void this.reportSilence(ms),
    });
  }

  get id(): string {
    return this.spec.id;
  }

  get isFinal(): boolean {
    return this.result !== null;
  }

  get isActive(): boolean {
    return this.status === "running" || this.status === "paused";
  }

  addListener(listener: ExecutionListener): void {
    this.listeners.add(listener);
  }

  removeListener(listener: ExecutionListener): void {
    this.listeners.delete(listener);
  }

  /** Hands the decisions of ExecutionOwner to a feature (one owner; set before start). */
  setOwner(owner: ExecutionOwner): void {
    this.owner = owner;
  }

  /** Tells the listeners (subscribers, history) of an event, e.g. what the owner detected. */
  emit(event: ExecutionEvent): void {
    this.listeners.event(event);
  }

  start(): void {
    if (this.status !== "queued") return;
    this.status = "running";
    this.startedAt = new Date();
    this.startedAtMs = performance.now();
    if (!this.spawnChild(this.spec.spawn)) return;
    this.timers.start();
    // Said once when the run goes past its usual time, even while output flows.
    this.overdue.arm(this.spec.usualMs);
  }

  /** Starts one process of the execution; false when spawning failed at once. */
  private spawnChild(spawn: ExecutionSpec["spawn"]): boolean {
    this.error = null;
    this.cause = null;
    this.exitCode = null;
    this.signal = null;
    this.child = GroupChild.spawn(
      spawn,
      {
        onStdout: (data) => this.sawOutput("stdout", data),
        onStderr: (data) => this.sawOutput("stderr", data),
        onExit: (code, signal) => {
          this.exitCode = code;
          this.signal = signal;
        },
        onSpawnError: (error) => {
          this.error = `could not start: ${error.message}`;
          this.cause = error;
          this.listeners.event({ type: "spawn_failed", error: this.error });
        },
        onEnd: () => this.childEnded(),
      },
      this.settings.drainMs,
      this.pipes,
    );
    if (this.child.pid <= 0) return false; // spawn failed; onSpawnError and onEnd follow
    this.pid = this.child.pid;
    this.guardian.watch(this.child.pgid);
    this.sampler = new GroupSampler(this.child.pgid);
    this.listeners.event({ type: "started", pid: this.pid, pgid: this.pid });
    return true;
  }

  /** A process ended: the owner may start another (a retry) or decide the status. */
  private childEnded(): void {
    if (this.result) return;
    const reason = this.endReason;
    if (this.owner?.settle && (reason === null || "by" in reason)) {
      // Everything the process wrote reaches the listeners (the owner's parser) first.
      this.output.flushHeld();
      const { exitCode, signal, error } = this;
      const verdict = settleWithOwner(this.owner, reason, { exitCode, signal, error });
      if (verdict && "retry" in verdict) {
        this.retryLater(verdict.retry.spawn, verdict.retry.delayMs);
        return;
      }
      if (verdict) {
        this.endReason = verdict.end;
        if (verdict.error !== undefined) this.error = verdict.error;
      }
    }
    this.finish();
  }

  /** Another process for the same execution after `delayMs`; clocks stop while it waits. */
  private retryLater(spawn: ExecutionSpec["spawn"], delayMs: number): void {
    if (this.killTimer) clearTimeout(this.killTimer);
    this.killTimer = null;
    this.endReason = null;
    if (this.child && this.child.pid > 0) this.guardian.forget(this.child.pgid);
    this.child = null;
    this.timers.pause();
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = null;
        this.timers.resume();
        this.spawnChild(spawn);
        // A longer delay would fire at once (setTimeout holds 2^31−1 ms at most).
      },
      Math.min(delayMs, MAX_DURATION_MS),
    );
  }

  pause(): boolean {
    if (this.status !== "running" || !this.child) return false;
    this.child.signal("SIGSTOP");
    this.status = "paused";
    this.timers.pause();
    this.listeners.event({ type: "paused" });
    return true;
  }

  resume(): boolean {
    if (this.status !== "paused" || !this.child) return false;
    this.child.signal("SIGCONT");
    this.status = "running";
    this.timers.resume();
    this.listeners.event({ type: "resumed" });
    return true;
  }

  /**
   * Stops reading the child's output until `releaseOutput` (the child blocks on a full pipe):
   * for a consumer further down that is behind, e.g. a worker's stream to Redis (DESIGN §12).
   */
  holdOutput(): void {
    this.child?.pauseOutput();
  }

  releaseOutput(): void {
    this.child?.resumeOutput();
  }

  /** Cancels a queued or running execution; false when it has already ended. */
  cancel(): boolean {
    if (this.isFinal || this.endReason) return false;
    this.listeners.event({ type: "canceled" });
    this.stop({ status: "canceled" });
    return true;
  }

  /** The server is stopping: end as `interrupted`. */
  interrupt(): void {
    this.stop({ status: "interrupted" });
  }

  /** Ends the run with a status decided by its owner (e.g. a Claude `result` event), after a grace. */
  endWith(status: "completed" | "failed", by: string, graceMs: number): void {
    if (this.isFinal || this.endReason) return;
    this.endReason = { status, by };
    this.killTimer = setTimeout(() => this.terminate(), graceMs);
  }

  private stop(reason: EndReason): void {
    if (this.isFinal || this.endReason) return;
    this.endReason = reason;
    if (this.status === "queued" || this.retryTimer) {
      this.finish();
      return;
    }
    this.terminate();
  }

  /** TERM the group (waking it if stopped), KILL it after the grace. */
  private terminate(): void {
    const child = this.child;
    if (!child) return;
    child.signal("SIGTERM");
    if (this.status === "paused") child.signal("SIGCONT");
    if (this.killTimer) clearTimeout(this.killTimer);
    this.killTimer = setTimeout(() => child.signal("SIGKILL"), this.settings.killGraceMs);
  }

  private sawOutput(stream: "stdout" | "stderr", data: Buffer): void {
    this.timers.sawOutput();
    this.output.push(stream, data);
  }

  private async reportSilence(silentMs: number): Promise<void> {
    if (!this.isActive || !this.child) return;
    const pid = this.child.pid;
    const sample = (await this.sampler?.sample()) ?? null;
    if (!this.isActive) return;
    const report = silenceReport({
      pid,
      silentMs,
      elapsedMs: performance.now() - this.startedAtMs,
      usualMs: this.spec.usualMs ?? null,
      sample,
    });
    if (this.owner?.silenceMessage) report.message = this.owner.silenceMessage(report);
    this.listeners.event({ type: "silent", report });
  }

  private finish(): void {
    if (this.result) return;
    this.timers.stop();
    this.overdue.clear();
    if (this.killTimer) clearTimeout(this.killTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.output.finish();
    if (this.child && this.child.pid > 0) this.guardian.forget(this.child.pgid);
    // Ended executions stay listed (retainEnded): without their process, sockets, stream states.
    this.child = null;
    this.sampler = null;
    const status = finalStatus(this.endReason, this.error, this.exitCode);
    this.status = status;
    const endedAt = new Date();
    this.endedAt = endedAt;
    const durationMs = this.startedAtMs > 0 ? performance.now() - this.startedAtMs : 0;
    const ended = executionResult({
      executionId: this.id,
      status,
      reason: this.endReason,
      exitCode: this.exitCode,
      signal: this.signal,
      error: this.error,
      cause: this.cause,
      startedAt: this.startedAt,
      endedAt,
      durationMs: Math.round(durationMs * 1000) / 1000,
      output: this.output,
    });
    const result = { ...ended, ...this.owner?.summarize?.(ended) };
    this.result = result;
    this.listeners.ended(result);
    this.resolveDone(result);
  }
}
