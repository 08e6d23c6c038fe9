/**
 * Follows one execution for its history record: status changes, detections, the head and tail
 * of its output, and its journal entry (written when it is created, given its pid and process
 * start time when it starts, removed when it ends). Everything goes through the WriteBatcher:
 * nothing here waits on the store.
 */
import type { ProcessCompletedParams } from "../../protocol/notifications.js";
import { commandClass } from "../../store/command-class.js";
import type {
  ClaudeRunRecord,
  ExecutionRecord,
  JournalEntry,
  TimeoutSource,
} from "../../store/store.js";
import type { WriteBatcher } from "../../store/write-batcher.js";
import type { Execution } from "../../supervisor/execution/execution.js";
import type { ExecutionListener } from "../../supervisor/execution/execution-listener.js";
import type { ExecutionSpec } from "../../supervisor/execution/execution-spec.js";
import { OutputCapture } from "../../supervisor/output/output-capture.js";
import type { OutputChunk } from "../../supervisor/output/output-chunk.js";
import { processStartTicks, type ServerIdentity } from "../../supervisor/process/proc-stat.js";

/** Fields the spec may carry once the server passes them (see docs/history.md). */
export type RecordedSpecExtras = { timeoutSource?: TimeoutSource; peer?: string | null };

export interface TrackerContext {
  identity: ServerIdentity;
  batcher: WriteBatcher;
  now(): number;
  peerOf(sessionId: string | null): string | null;
  headBytes?: number;
  tailBytes?: number;
  procRoot?: string;
  /** Hands over work whose result must reach the batcher before the next flush. */
  track?(work: Promise<unknown>): void;
}

const MAX_DETECTIONS = 100;
const START_TIME_READ_DELAY_MS = 20;
const DETECTED = /^(error\.|hook\.warning$)/;

export class ExecutionTracker implements ExecutionListener {
  readonly record: ExecutionRecord;
  private readonly capture: OutputCapture;
  private journal: JournalEntry;
  private startTimeRead: { timer: NodeJS.Timeout; resolve: () => void } | null = null;

  constructor(
    private readonly execution: Execution,
    private readonly context: TrackerContext,
  ) {
    const spec = execution.spec as ExecutionSpec & RecordedSpecExtras;
    const { identity } = context;
    const createdAtMs = context.now();
    this.record = {
      executionId: spec.id,
      kind: spec.kind,
      command: spec.command,
      commandClass: commandClass(spec.kind, spec.command),
      cwd: spec.spawn.cwd,
      sessionId: spec.sessionId,
      peer: spec.peer ?? context.peerOf(spec.sessionId),
      host: identity.host,
      status: execution.status,
      exitCode: null,
      signal: null,
      pid: null,
      createdAtMs,
      startedAtMs: null,
      endedAtMs: null,
      durationMs: null,
      stdoutBytes: 0,
      stderrBytes: 0,
      timeoutMs: spec.timeoutMs,
      timeoutSource: spec.timeoutSource ?? (spec.timeoutMs === null ? "none" : "request"),
      idleTimeoutMs: spec.idleTimeoutMs,
      spoolDir: execution.spool?.dir ?? null,
      claude: null,
      detections: [],
      error: null,
    };
    this.capture = new OutputCapture(
      spec.encoding,
      context.headBytes,
      context.tailBytes,
      execution.output.window.guaranteedBytes,
    );
    this.journal = {
      executionId: spec.id,
      host: identity.host,
      bootId: identity.bootId,
      serverPid: identity.serverPid,
      serverStartTicks: identity.serverStartTicks,
      pid: null,
      pgid: null,
      startTicks: null,
      createdAtMs,
    };
  }

  /** Records the execution as created (queued or about to start) and journals it. */
  begin(): void {
    this.write();
    this.context.batcher.enqueue({ type: "journal.put", entry: this.journal });
  }

  output(chunk: OutputChunk): void {
    this.capture.add(chunk);
  }

  event(method: string, params: object): void {
    const record = this.record;
    if (method === "process.started") {
      const { pid, pgid } = params as { pid: number; pgid: number };
      record.status = "running";
      record.pid = pid;
      record.startedAtMs = this.execution.startedAt?.getTime() ?? this.context.now();
      this.write();
      // The start time makes the entry pid-reuse safe. It is read a moment later, so quick
      // commands that are over by then cost nothing; the entry goes out with the next batch
      // (a SIGKILL may lose that batch, as the issue allows — a write per start would cost
      // every execution a transaction).
      this.cancelStartTimeRead(); // a retry's new process replaces the previous one
      const read = new Promise<void>((resolve) => {
        this.startTimeRead = {
          resolve,
          timer: setTimeout(() => {
            this.startTimeRead = null;
            const startTicks = processStartTicks(pid, this.context.procRoot);
            this.journal = { ...this.journal, pid, pgid, startTicks };
            this.context.batcher.enqueue({ type: "journal.put", entry: this.journal });
            resolve();
          }, START_TIME_READ_DELAY_MS),
        };
      });
      this.context.track?.(read);
    } else if (method === "process.paused" || method === "process.resumed") {
      record.status = method === "process.paused" ? "paused" : "running";
      this.write();
    } else if (method === "process.error") {
      record.error = String((params as { error?: unknown }).error ?? "error");
    } else if (DETECTED.test(method) && record.detections.length < MAX_DETECTIONS) {
      const { execution_id: _id, ...details } = params as Record<string, unknown>;
      record.detections.push({ type: method, atMs: this.context.now(), details });
      this.write();
    }
  }

  private cancelStartTimeRead(): void {
    if (!this.startTimeRead) return;
    clearTimeout(this.startTimeRead.timer);
    this.startTimeRead.resolve();
    this.startTimeRead = null;
  }

  completed(params: ProcessCompletedParams): void {
    // Over before its start time was read: nothing left to journal.
    this.cancelStartTimeRead();
    const record = this.record;
    record.status = params.status;
    record.exitCode = params.exit_code;
    record.signal = params.signal;
    record.endedAtMs = this.execution.endedAt?.getTime() ?? this.context.now();
    record.durationMs = record.startedAtMs === null ? null : params.duration_ms;
    record.stdoutBytes = params.stdout_bytes;
    record.stderrBytes = params.stderr_bytes;
    record.error = params.error ?? record.error;
    record.claude = claudeOf(params);
    record.output = this.capture.result();
    this.write();
    this.context.batcher.enqueue({ type: "journal.remove", executionId: record.executionId });
    this.execution.removeListener(this);
  }

  private write(): void {
    this.context.batcher.enqueue({ type: "execution", record: this.record });
  }
}

/** `process.completed.claude` (DESIGN §6), when the run was a Claude run. */
function claudeOf(params: ProcessCompletedParams): ClaudeRunRecord | null {
  const claude = (params as { claude?: Record<string, unknown> }).claude;
  if (!claude || typeof claude !== "object") return null;
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  return {
    sessionId: typeof claude.session_id === "string" ? claude.session_id : null,
    subtype: typeof claude.subtype === "string" ? claude.subtype : null,
    isError: typeof claude.is_error === "boolean" ? claude.is_error : null,
    costUsd: num(claude.cost_usd ?? claude.total_cost_usd),
    numTurns: num(claude.num_turns),
    usage:
      claude.usage && typeof claude.usage === "object"
        ? (claude.usage as Record<string, unknown>)
        : null,
  };
}
