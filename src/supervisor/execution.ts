/**
 * One execution from queue to its single final state (DESIGN §4, §5).
 *
 * Whatever ends it — exit, cancel, a timeout, a spawn error, server shutdown — `finish` runs
 * once and produces the one `process.completed`. Cancel and timeouts TERM the group, then KILL
 * it after the grace; pause and resume STOP/CONT the group and stop its clocks.
 */

import type { ExecutionStatus, FinalStatus } from "../protocol/methods.js";
import type { ProcessCompletedParams } from "../protocol/notifications.js";
import type { ExecutionSummary } from "../protocol/results.js";
import type { ExecutionListener } from "./execution-listener.js";
import { ExecutionOutput } from "./execution-output.js";
import type { AttemptEnd, ExecutionOwner } from "./execution-owner.js";
import { ExecutionTimers } from "./execution-timers.js";
import { GroupChild, type SpawnSpec } from "./group-child.js";
import type { Guardian } from "./guardian.js";
import type { OutputChunk } from "./output-chunk.js";
import { GroupSampler } from "./resource-sampler.js";
import { Spool } from "./spool.js";
import { statusParams } from "./status-report.js";

/** Runs usually shorter than this get no "longer than usual" notice. */
const MIN_OVERDUE_NOTICE_MS = 5000;

export interface ExecutionSpec {
  id: string;
  kind: "command" | "claude";
  /** What the user asked to run, for listings and history. */
  command: string;
  spawn: SpawnSpec;
  timeoutMs: number | null;
  idleTimeoutMs: number | null;
  encoding: "utf8" | "base64";
  killOnDisconnect: boolean;
  sessionId: string | null;
  /** Where the wall-clock limit came from (request, auto, default, none), for history. */
  timeoutSource?: "request" | "auto" | "auto-default" | "default" | "none";
  /** How long runs of this command usually take (learned p90 × margin), when known. */
  usualMs?: number | null;
}

export interface ExecutionSettings {
  killGraceMs: number;
  drainMs: number;
  statusIntervalMs: number;
  windowBytes: number;
  tailFlushMs: number;
  spool: { dir: string; capBytes: number; segmentBytes: number } | null;
}

type EndReason =
  | { status: "canceled" }
  | { status: "timed_out"; kind: "wall" | "idle" }
  | { status: "interrupted" }
  | { status: "completed" | "failed"; by: string };

export class Execution {
  status: ExecutionStatus = "queued";
  pid: number | null = null;
  exitCode: number | null = null;
  signal: string | null = null;
  startedAt: Date | null = null;
  endedAt: Date | null = null;
  error: string | null = null;
  completion: ProcessCompletedParams | null = null;
  readonly output: ExecutionOutput;
  readonly spool: Spool | null;
  readonly done: Promise<ProcessCompletedParams>;
  private readonly listeners = new Set<ExecutionListener>();
  private readonly timers: ExecutionTimers;
  private child: GroupChild | null = null;
  private sampler: GroupSampler | null = null;
  private endReason: EndReason | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  private overdueTimer: NodeJS.Timeout | null = null;
  private startedAtMs = 0;
  private owner: ExecutionOwner | null = null;
  /** Set while waiting to start the next process of a retried execution. */
  private retryTimer: NodeJS.Timeout | null = null;
  private resolveDone!: (params: ProcessCompletedParams) => void;

  constructor(
    readonly spec: ExecutionSpec,
    private readonly settings: ExecutionSettings,
    private readonly guardian: Guardian,
  ) {
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    this.spool = settings.spool ? new Spool(settings.spool) : null;
    this.output = new ExecutionOutput(
      {
        encoding: spec.encoding,
        windowBytes: settings.windowBytes,
        tailFlushMs: settings.tailFlushMs,
        spoolBacklogLimitBytes: Math.max(
          256 * 1024,
          Math.min(4 * 1024 * 1024, settings.windowBytes / 2),
        ),
      },
      this.spool,
      (chunk) => this.deliver(chunk),
      { pause: () => this.child?.pauseOutput(), resume: () => this.child?.resumeOutput() },
    );
    this.timers = new ExecutionTimers(
      {
        timeoutMs: spec.timeoutMs,
        idleTimeoutMs: spec.idleTimeoutMs,
        statusIntervalMs: settings.statusIntervalMs,
      },
      {
        onTimeout: (kind) => this.stop({ status: "timed_out", kind }),
        onSilence: (ms) => void this.reportSilence(ms),
      },
    );
  }

  get id(): string {
    return this.spec.id;
  }

  get isFinal(): boolean {
    return this.completion !== null;
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

  /** Sends a notification of this execution to its listeners (subscribers, history). */
  notify(method: string, params: object): void {
    this.broadcast(method, params);
  }

  start(): void {
    if (this.status !== "queued") return;
    this.status = "running";
    this.startedAt = new Date();
    this.startedAtMs = performance.now();
    if (!this.spawnChild(this.spec.spawn)) return;
    this.timers.start();
    this.armOverdue();
  }

  /** Starts one process of the execution; false when spawning failed at once. */
  private spawnChild(spawn: ExecutionSpec["spawn"]): boolean {
    this.error = null;
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
          this.broadcast("process.error", { execution_id: this.id, error: this.error });
        },
        onEnd: () => this.childEnded(),
      },
      this.settings.drainMs,
    );
    if (this.child.pid <= 0) return false; // spawn failed; onSpawnError and onEnd follow
    this.pid = this.child.pid;
    this.guardian.watch(this.child.pgid);
    this.sampler = new GroupSampler(this.child.pgid);
    this.broadcast("process.started", { execution_id: this.id, pid: this.pid, pgid: this.pid });
    return true;
  }

  /** A process ended: the owner may start another (a retry) or decide the status. */
  private childEnded(): void {
    if (this.completion) return;
    const reason = this.endReason;
    const owner = this.owner;
    if (owner?.settle && (reason === null || "by" in reason)) {
      // Everything the process wrote reaches the listeners (the owner's parser) first.
      this.output.flushHeld();
      const ended: AttemptEnd = {
        exitCode: this.exitCode,
        signal: this.signal,
        error: this.error,
        decided: reason && "by" in reason ? reason.status : null,
      };
      const settlement = owner.settle(ended);
      if (settlement && "retry" in settlement) {
        this.retryLater(settlement.retry.spawn, settlement.retry.delayMs);
        return;
      }
      if (settlement) {
        this.endReason = {
          status: settlement.status,
          by: reason && "by" in reason ? reason.by : "owner",
        };
        if (settlement.error !== undefined) this.error = settlement.error;
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
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.timers.resume();
      this.spawnChild(spawn);
    }, delayMs);
  }

  pause(): boolean {
    if (this.status !== "running" || !this.child) return false;
    this.child.signal("SIGSTOP");
    this.status = "paused";
    this.timers.pause();
    this.broadcast("process.paused", { execution_id: this.id });
    return true;
  }

  resume(): boolean {
    if (this.status !== "paused" || !this.child) return false;
    this.child.signal("SIGCONT");
    this.status = "running";
    this.timers.resume();
    this.broadcast("process.resumed", { execution_id: this.id });
    return true;
  }

  /** Cancels a queued or running execution; false when it has already ended. */
  cancel(): boolean {
    if (this.isFinal || this.endReason) return false;
    this.broadcast("process.canceled", { execution_id: this.id });
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

  summary(): ExecutionSummary {
    return {
      execution_id: this.id,
      command: this.spec.command,
      status: this.status,
      pid: this.pid,
      pgid: this.pid,
      cwd: this.spec.spawn.cwd,
      started_at: this.startedAt?.toISOString() ?? null,
      ended_at: this.endedAt?.toISOString() ?? null,
      exit_code: this.exitCode,
      signal: this.signal,
      last_seq: this.output.lastSeq,
      stdout_bytes: this.output.bytes.stdout,
      stderr_bytes: this.output.bytes.stderr,
      session_id: this.spec.sessionId,
    };
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
    const params = statusParams({
      executionId: this.id,
      pid,
      silentMs,
      elapsedMs: performance.now() - this.startedAtMs,
      usualMs: this.spec.usualMs ?? null,
      sample,
    });
    this.owner?.status?.(params);
    this.broadcast("process.status", params);
  }

  /** Says once that the run has gone past its usual time, even while output flows. */
  private armOverdue(): void {
    const usualMs = this.spec.usualMs;
    // Only worth saying for runs long enough that someone could be left wondering.
    if (usualMs === null || usualMs === undefined || usualMs < MIN_OVERDUE_NOTICE_MS) return;
    this.overdueTimer = setTimeout(() => {
      void this.reportSilence(performance.now() - this.timers.lastOutputMs);
    }, usualMs + 1);
    this.overdueTimer.unref();
  }

  private finish(): void {
    if (this.completion) return;
    this.timers.stop();
    if (this.overdueTimer) clearTimeout(this.overdueTimer);
    if (this.killTimer) clearTimeout(this.killTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.output.finish();
    if (this.child && this.child.pid > 0) this.guardian.forget(this.child.pgid);
    const status = this.finalStatus();
    this.status = status;
    this.endedAt = new Date();
    const durationMs = this.startedAtMs > 0 ? performance.now() - this.startedAtMs : 0;
    const completion: ProcessCompletedParams = {
      execution_id: this.id,
      status,
      exit_code: this.exitCode,
      signal: this.signal,
      execution_time: Math.round(durationMs) / 1000,
      duration_ms: Math.round(durationMs * 1000) / 1000,
      last_seq: this.output.lastSeq,
      stdout_bytes: this.output.bytes.stdout,
      stderr_bytes: this.output.bytes.stderr,
    };
    if (this.error) completion.error = this.error;
    if (this.endReason?.status === "timed_out") completion.timeout_kind = this.endReason.kind;
    this.owner?.complete?.(completion);
    this.completion = completion;
    for (const listener of this.listeners) listener.completed(completion);
    this.resolveDone(completion);
  }

  private finalStatus(): FinalStatus {
    const reason = this.endReason;
    if (reason) return reason.status;
    if (this.error) return "failed";
    return this.exitCode === 0 ? "completed" : "failed";
  }

  private deliver(chunk: OutputChunk): void {
    for (const listener of this.listeners) listener.output(chunk);
  }

  private broadcast(method: string, params: object): void {
    for (const listener of this.listeners) listener.event(method, params);
  }
}
