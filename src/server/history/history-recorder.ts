/**
 * Records every execution and connection of a running server (issue 4). The composition root
 * attaches it as an engine observer and tells it about connections; it never blocks the caller
 * — writes are queued on the WriteBatcher — and `close()` (after the engine has shut down, so
 * every execution has its final record) writes out everything still pending.
 */

import type { EngineObserver } from "../../engine/engine.js";
import type { ExecutionHandle } from "../../engine/execution-handle.js";
import type { ConnectionRecord } from "../../store/store.js";
import type { WriteBatcher } from "../../store/write-batcher.js";
import { currentServerIdentity, type ServerIdentity } from "../../supervisor/process/proc-stat.js";
import { ExecutionTracker } from "./execution-tracker.js";

export interface RecorderOptions {
  identity?: ServerIdentity;
  /** Bytes of output kept at the start and at the end of each execution (default 64 KiB). */
  headBytes?: number;
  tailBytes?: number;
  now?: () => number;
  procRoot?: string;
}

export interface ConnectionInfo {
  sessionId: string;
  peer: string;
  connectedAt?: Date;
}

export class HistoryRecorder implements EngineObserver {
  readonly identity: ServerIdentity;
  private readonly connections = new Map<string, ConnectionRecord>();
  private readonly now: () => number;
  /** Reads still to land in the batcher (process start times); flush waits for them. */
  private readonly pendingReads = new Set<Promise<unknown>>();

  constructor(
    readonly batcher: WriteBatcher,
    private readonly options: RecorderOptions = {},
  ) {
    this.identity = options.identity ?? currentServerIdentity(options.procRoot);
    this.now = options.now ?? Date.now;
  }

  /** The engine's observer: called before the execution's process starts, so nothing is missed. */
  created(execution: ExecutionHandle): void {
    const tracker = new ExecutionTracker(execution, {
      identity: this.identity,
      batcher: this.batcher,
      now: this.now,
      peerOf: (sessionId) => (sessionId ? (this.connections.get(sessionId)?.peer ?? null) : null),
      headBytes: this.options.headBytes,
      tailBytes: this.options.tailBytes,
      procRoot: this.options.procRoot,
      track: (work) => {
        this.pendingReads.add(work);
        void work.finally(() => this.pendingReads.delete(work));
      },
    });
    execution.addListener(tracker);
    tracker.begin();
  }

  connectionOpened(info: ConnectionInfo): void {
    const record: ConnectionRecord = {
      sessionId: info.sessionId,
      peer: info.peer,
      host: this.identity.host,
      startedAtMs: info.connectedAt?.getTime() ?? this.now(),
      endedAtMs: null,
      executionCount: 0,
    };
    this.connections.set(info.sessionId, record);
    this.batcher.enqueue({ type: "connection", record });
  }

  connectionClosed(info: { sessionId: string; executionCount: number }): void {
    const record = this.connections.get(info.sessionId);
    if (!record) return;
    this.connections.delete(info.sessionId);
    record.endedAtMs = this.now();
    record.executionCount = info.executionCount;
    this.batcher.enqueue({ type: "connection", record });
  }

  /** Writes everything pending now (e.g. before answering a history query). */
  async flush(): Promise<boolean> {
    await Promise.all(this.pendingReads);
    return this.batcher.flush();
  }

  /**
   * Ends connections still open and writes everything; call after the engine shut down. The
   * batcher stays open: the history service closes it with the store.
   */
  async close(): Promise<boolean> {
    for (const record of this.connections.values()) {
      record.endedAtMs = this.now();
      this.batcher.enqueue({ type: "connection", record });
    }
    this.connections.clear();
    await Promise.all(this.pendingReads);
    return this.batcher.flush();
  }
}
