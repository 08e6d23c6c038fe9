/**
 * Where server and workers meet in Redis (DESIGN §12, docs/workers.md). One prefix per
 * deployment (tests use one per test): BullMQ keeps its job queue under it, and beside it the
 * output stream, the control channel, the registry of workers and the cancel marks.
 */

export const DEFAULT_QUEUE_PREFIX = "cc-executor";
/** The BullMQ queue's name under the prefix. */
export const QUEUE_NAME = "executions";

export class QueueKeys {
  constructor(readonly prefix: string = DEFAULT_QUEUE_PREFIX) {}

  /** Every worker's output, events and results, in order per execution (a Redis Stream). */
  get output(): string {
    return `${this.prefix}:output`;
  }

  /** Pub/sub channel of cancel, pause and resume for whichever worker holds the execution. */
  get control(): string {
    return `${this.prefix}:control`;
  }

  /** Hash: worker id → its last heartbeat (JSON WorkerBeat). */
  get workers(): string {
    return `${this.prefix}:workers`;
  }

  /**
   * Held by the live worker of this name (SET NX PX, refreshed with each beat): a second worker
   * of the same name is refused, atomically.
   */
  workerName(workerId: string): string {
    return `${this.prefix}:worker-name:${workerId}`;
  }

  /**
   * Held by a live server instance (SET PX SERVER_KEY_TTL_MS, refreshed every
   * SERVER_BEAT_INTERVAL_MS, deleted on a clean close): workers interrupt the jobs of an
   * instance whose key stays missing (server-beat.ts, workers/server-watch.ts).
   */
  server(instanceId: string): string {
    return `${this.prefix}:server:${instanceId}`;
  }

  /** Set when an execution was canceled before a worker started it (checked on pick-up). */
  canceled(executionId: string): string {
    return `${this.prefix}:canceled:${executionId}`;
  }
}

/** A worker's announcement, refreshed every HEARTBEAT_INTERVAL_MS. */
export interface WorkerBeat {
  id: string;
  host: string;
  pid: number;
  concurrency: number;
  running: number;
  /** Epoch ms of this beat. */
  last_heartbeat: number;
}

export const HEARTBEAT_INTERVAL_MS = 2000;
/** A worker silent this long is dead: its executions end `interrupted` (DESIGN §12: ≤ 30 s). */
export const WORKER_DEAD_AFTER_MS = 10_000;

/** How often a server refreshes its liveness key, and how long the key lives unrefreshed. */
export const SERVER_BEAT_INTERVAL_MS = 2000;
export const SERVER_KEY_TTL_MS = 10_000;
/**
 * A server whose key has been missing this long (seen by a worker whose Redis answers) died
 * and did not come back: the worker interrupts its jobs.
 */
export const SERVER_GONE_AFTER_MS = 15_000;

/** For the worker that holds execution `id`. */
export interface ControlMessage {
  id: string;
  /** `interrupt`: the server is stopping (the execution ends `interrupted`). */
  action: "cancel" | "pause" | "resume" | "interrupt";
}

/**
 * A server started on this prefix (after one that died): every worker interrupts the jobs of
 * any other server instance, whose executions the new server's history already marked
 * `interrupted` — so nothing goes on running unheard.
 */
export interface ServerStartedMessage {
  action: "server-started";
  server: string;
}

export type ControlChannelMessage = ControlMessage | ServerStartedMessage;
