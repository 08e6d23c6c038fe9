/**
 * Follows one execution for its history record: status changes, detections, the head and tail
 * of its output, and its journal entry (written when it is created, given its pid and process
 * start time when it starts, removed when it ends). Everything goes through the WriteBatcher:
 * nothing here waits on the store. Detections are recorded as clients saw them: the
 * notification's name and params (wire/execution-notifications.ts).
 */
import type {
  ClaudeSummary,
  ExecutionEvent,
  ExecutionHandle,
  ExecutionListener,
  ExecutionResult,
  OutputChunk,
} from "../../engine/execution-handle.js";
import { commandClass } from "../../store/command-class.js";
import type { ClaudeRunRecord, ExecutionRecord, JournalEntry } from "../../store/store.js";
import type { WriteBatcher } from "../../store/write-batcher.js";
import { OutputCapture } from "../../supervisor/output/output-capture.js";
import { processStartTicks, type ServerIdentity } from "../../supervisor/process/proc-stat.js";
import { eventNotification } from "../wire/execution-notifications.js";

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
/** Claude notices recorded as detections (retries are not failures of the run). */
const DETECTED = new Set(["token_limit", "rate_limit", "auth_failed", "root_refusal"]);

export class ExecutionTracker implements ExecutionListener {
  readonly record: ExecutionRecord;
  private readonly capture: OutputCapture;
  private journal: JournalEntry;
  private startTimeRead: { timer: NodeJS.Timeout; resolve: () => void } | null = null;

  constructor(
    private readonly execution: ExecutionHandle,
    private readonly context: TrackerContext,
  ) {
    const { spec } = execution;
    const { identity } = context;
    const createdAtMs = context.now();
    this.record = {
      executionId: spec.id,
      kind: spec.kind,
      command: spec.command,
      commandClass: commandClass(spec.kind, spec.command),
      cwd: spec.spawn.cwd,
      sessionId: spec.sessionId,
      peer: context.peerOf(spec.sessionId),
      host: identity.host,
      workerId: "local",
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

  event(event: ExecutionEvent): void {
    const record = this.record;
    if (event.type === "started") {
      const { pid, pgid } = event;
      record.status = "running";
      record.pid = pid;
      record.startedAtMs = this.execution.startedAt?.getTime() ?? this.context.now();
      if (event.workerId !== undefined) record.workerId = event.workerId;
      this.write();
      // A worker's process is on another machine: this server's journal (which kills what a
      // dead server left behind, by pid) must not name it; the worker's guardian owns it.
      if (event.workerId !== undefined) return;
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
    } else if (event.type === "paused" || event.type === "resumed") {
      record.status = event.type === "paused" ? "paused" : "running";
      this.write();
    } else if (event.type === "spawn_failed") {
      record.error = event.error;
    } else if (
      event.type === "claude" &&
      DETECTED.has(event.notice.kind) &&
      record.detections.length < MAX_DETECTIONS
    ) {
      const { method, params } = eventNotification(record.executionId, event);
      const { execution_id: _id, ...details } = params as { execution_id: string };
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

  ended(result: ExecutionResult): void {
    // Over before its start time was read: nothing left to journal.
    this.cancelStartTimeRead();
    const record = this.record;
    record.status = result.status;
    record.exitCode = result.exitCode;
    record.signal = result.signal;
    record.endedAtMs = result.endedAt.getTime();
    record.durationMs = record.startedAtMs === null ? null : result.durationMs;
    record.stdoutBytes = result.stdoutBytes;
    record.stderrBytes = result.stderrBytes;
    record.error = result.error ?? record.error;
    record.claude = result.claude ? claudeRecord(result.claude) : null;
    record.output = this.capture.result();
    this.write();
    this.context.batcher.enqueue({ type: "journal.remove", executionId: record.executionId });
    this.execution.removeListener(this);
  }

  private write(): void {
    this.context.batcher.enqueue({ type: "execution", record: this.record });
  }
}

/** What history keeps of a Claude run's summary (DESIGN §6). */
function claudeRecord(claude: ClaudeSummary): ClaudeRunRecord {
  return {
    sessionId: claude.sessionId,
    subtype: claude.subtype,
    isError: claude.isError,
    costUsd: claude.costUsd,
    numTurns: claude.numTurns,
    usage: claude.usage,
  };
}
