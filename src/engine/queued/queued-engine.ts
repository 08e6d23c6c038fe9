/**
 * The engine of queue mode (DESIGN §12): requests are prepared here exactly as LocalEngine
 * prepares them (validation, pre-hooks, ALLOWED_COMMANDS, the timeout, the audit record), then
 * go to a BullMQ queue that workers (src/workers/) take them from. Each stays a RemoteExecution
 * here, fed by the workers' output stream; a worker that stops beating takes its executions
 * down as `interrupted`. Callers see the same ExecutionHandle as for a local run.
 */
import { resolve } from "node:path";
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { AuditLog } from "../../log/audit-log.js";
import type { ExecutionStatus } from "../../protocol/methods.js";
import { AdmissionError } from "../../supervisor/admission-error.js";
import type {
  ExecutionSettings,
  ExecutionSpec,
} from "../../supervisor/execution/execution-spec.js";
import type { SpoolJanitor } from "../../supervisor/spool/spool-janitor.js";
import type {
  ClusterStatus,
  EngineLoad,
  EngineObserver,
  ExecutionEngine,
  ExecutionRequest,
  StartContext,
  StartedExecution,
} from "../engine.js";
import { cancelOnAbort } from "../local-engine.js";
import { auditStart, type PrepareParts, prepareRequest } from "../prepare-request.js";
import type { ExecutionJob } from "./execution-job.js";
import { ExecutionSet } from "./execution-set.js";
import { OutputReader } from "./output-reader.js";
import { type ControlMessage, QUEUE_NAME, QueueKeys, WORKER_DEAD_AFTER_MS } from "./queue-keys.js";
import type { WorkerMessage } from "./queue-messages.js";
import { connected, queueConnection, redactedUrl } from "./redis-connection.js";
import { RemoteExecution } from "./remote-execution.js";
import { WorkerRegistry } from "./worker-registry.js";

export interface QueuedEngineParts extends PrepareParts {
  audit: AuditLog;
  queueUrl: string;
  queuePrefix: string;
  limits: { maxPerConnection: number; maxQueue: number; retainEnded: number };
  /** Window size and spool of each execution, as for local runs. */
  settingsFor(spec: ExecutionSpec): ExecutionSettings;
  spoolJanitor?: SpoolJanitor | null;
  /** A worker lost, Redis lost: said once per occurrence. */
  warn?(message: string, details?: Record<string, unknown>): void;
}

/** How long shutdown waits for workers to report their interrupted executions. */
const SHUTDOWN_WAIT_MS = 10_000;
/** A queued add that Redis does not answer in this long fails the request. */
const ADD_TIMEOUT_MS = 5000;
/** How often waiting executions are checked for a job Redis lost. */
const LOST_CHECK_MS = 5000;
/** How long a request waits for a Redis that is (re)connecting before it is refused. */
const CONNECT_WAIT_MS = 2000;

export class QueuedEngine implements ExecutionEngine {
  readonly keys: QueueKeys;
  private readonly commands: Redis;
  private readonly queue: Queue<ExecutionJob>;
  private readonly reader: OutputReader;
  private readonly registry: WorkerRegistry;
  private readonly executions = new ExecutionSet();
  private readonly observers: EngineObserver[] = [];
  private readonly activeBySession = new Map<string, number>();
  private closing = false;
  private readerError: string | null = null;
  /** Waiting executions whose job was found missing once (a Redis restart without data). */
  private readonly missingJobs = new Set<string>();
  private lastLostCheckMs = 0;
  /** Resolves once what a previous server left is gone (open()). */
  private opened: Promise<void> = Promise.resolve();

  constructor(readonly parts: QueuedEngineParts) {
    this.keys = new QueueKeys(parts.queuePrefix);
    this.commands = queueConnection(parts.queueUrl, "cc-executor-server");
    this.queue = new Queue<ExecutionJob>(QUEUE_NAME, {
      connection: this.commands,
      prefix: parts.queuePrefix,
    });
    this.queue.on("error", () => {}); // reported through server.status
    this.reader = new OutputReader(
      queueConnection(parts.queueUrl, "cc-executor-server-output"),
      this.commands,
      this.keys.output,
      (message) => this.deliver(message),
      () => this.spoolsCaughtUp(),
      (error) => {
        this.readerError = error.message;
      },
    );
    this.registry = new WorkerRegistry(this.commands, this.keys, () => this.checkWorkers());
  }

  /**
   * Forgets what a previous server left in the queue (its executions were marked interrupted
   * by history at start), then reads the workers. Does not wait for Redis: a server whose
   * Redis is away serves the rest and says so in server.status.
   */
  open(): void {
    const forget = async () => {
      await this.queue.drain(true);
      await this.commands.del(this.keys.output);
    };
    this.opened = forget()
      .catch(() => {})
      .finally(() => {
        this.reader.start();
        this.registry.start();
      });
  }

  async start(request: ExecutionRequest, context: StartContext): Promise<StartedExecution> {
    context.signal?.throwIfAborted();
    // The cwd is the worker's to check: it may exist on that machine only.
    const { prepared, hooked } = await prepareRequest(request, context, this.parts, (cwd) =>
      resolve(cwd ?? process.cwd()),
    );
    context.signal?.throwIfAborted();
    const { spec } = prepared;
    await this.redisReady();
    // The first requests after a start wait for the clean-up, which must not remove their
    // job or their output.
    await withTimeout(this.opened, CONNECT_WAIT_MS).catch(() => {});
    this.admit(spec);
    const execution = new RemoteExecution(spec, this.parts.settingsFor(spec), {
      send: (target, action) => this.send(target, action),
    });
    this.executions.add(execution);
    this.countSession(spec.sessionId, +1);
    void execution.done.then(() => this.ended(execution));
    for (const observer of this.observers) observer.created?.(execution);
    if (context.listener) execution.addListener(context.listener);
    auditStart(this.parts.audit, prepared, context.who);
    const queuedAt = this.executions.queuedCount;
    try {
      const job = await withTimeout(
        this.queue.add(spec.kind, jobFor(hooked, spec), {
          removeOnComplete: true,
          removeOnFail: true,
          attempts: 1,
        }),
        ADD_TIMEOUT_MS,
      );
      execution.jobId = job.id ?? null;
    } catch (error) {
      const message = `queue unavailable (Redis at ${redactedUrl(this.parts.queueUrl)}): ${(error as Error).message}`;
      execution.endHere("failed", message);
      // An add that lands after all (a slow Redis) must not run unheard: a worker taking it
      // sees the mark and cancels it at once.
      this.commands.set(this.keys.canceled(spec.id), "cancel", "EX", 3600).catch(() => {});
      throw new AdmissionError("limit_reached", message);
    }
    if (context.signal) cancelOnAbort(execution, context.signal);
    return { handle: execution, queuedAt };
  }

  get(executionId: string): RemoteExecution | undefined {
    return this.executions.get(executionId);
  }

  list(filter: { status?: ExecutionStatus[]; sessionId?: string; limit: number }) {
    return this.executions.list(filter);
  }

  observe(observer: EngineObserver): void {
    this.observers.push(observer);
  }

  load(): EngineLoad {
    const { maxPerConnection, maxQueue } = this.parts.limits;
    return {
      running: this.executions.runningCount,
      queued: this.executions.queuedCount,
      retained: this.executions.size,
      limits: { maxConcurrent: this.registry.capacity(), maxPerConnection, maxQueue },
    };
  }

  cluster(): ClusterStatus {
    const error =
      this.commands.status === "ready" ? (this.registry.error ?? this.readerError) : null;
    return {
      queue: {
        url: redactedUrl(this.parts.queueUrl),
        prefix: this.parts.queuePrefix,
        connected: this.commands.status === "ready",
        error: this.commands.status === "ready" ? error : `Redis is ${this.commands.status}`,
      },
      workers: this.registry.alive().map((beat) => ({
        id: beat.id,
        host: beat.host,
        pid: beat.pid,
        concurrency: beat.concurrency,
        running: beat.running,
        last_heartbeat: new Date(beat.last_heartbeat).toISOString(),
      })),
    };
  }

  /** Interrupts everything queued or running and waits until each has ended. */
  async shutdown(): Promise<void> {
    this.closing = true;
    const pending = this.executions
      .list({ limit: Number.MAX_SAFE_INTEGER })
      .filter((e) => !e.isFinal);
    for (const execution of pending) {
      if (execution.status === "queued" && execution.workerId === null) {
        void this.removeWaiting(execution, "interrupted");
      } else this.publish({ id: execution.id, action: "interrupt" });
    }
    // Workers report each end through the stream; those that do not in time end here.
    const all = Promise.all(pending.map((e) => e.done));
    const timer = new Promise((resolveWait) => setTimeout(resolveWait, SHUTDOWN_WAIT_MS).unref());
    await Promise.race([all, timer]);
    for (const execution of pending) {
      execution.endHere("interrupted", "the server stopped before its worker reported the end");
    }
    await Promise.all(
      this.executions.list({ limit: Number.MAX_SAFE_INTEGER }).map((e) => e.spool?.finish()),
    );
    this.registry.stop();
    await this.reader.close();
    // A Redis that is away must not hold the server's stop.
    await withTimeout(this.queue.close(), 2000).catch(() => {});
    this.commands.disconnect();
    this.parts.spoolJanitor?.stop();
    await this.parts.spoolJanitor?.idle();
  }

  private admit(spec: ExecutionSpec): void {
    if (this.closing) throw new AdmissionError("limit_reached", "server is shutting down");
    if (this.executions.get(spec.id)) {
      throw new AdmissionError("invalid_request", `execution_id ${spec.id} is already in use`);
    }
    const { maxPerConnection, maxQueue } = this.parts.limits;
    if (spec.sessionId !== null) {
      const count = this.activeBySession.get(spec.sessionId) ?? 0;
      if (count >= maxPerConnection) {
        throw new AdmissionError(
          "limit_reached",
          `this connection already has ${count} executions running or queued (limit ${maxPerConnection})`,
        );
      }
    }
    // As locally: what the workers can run at once, plus MAX_QUEUED waiting beyond that.
    const running = this.executions.runningCount;
    const queued = this.executions.queuedCount;
    const capacity = this.registry.capacity();
    if (running + queued >= capacity + maxQueue) {
      throw new AdmissionError(
        "limit_reached",
        `execution queue is full (${queued} waiting, ${running} running on ${this.registry.alive().length} workers)`,
      );
    }
  }

  /** Redis is connected; while it connects (just started, a reconnect) wait a moment. */
  private async redisReady(): Promise<void> {
    if (this.commands.status === "ready") return;
    try {
      await connected(this.commands, this.parts.queueUrl, CONNECT_WAIT_MS);
    } catch {
      throw new AdmissionError(
        "limit_reached",
        `queue unavailable: Redis at ${redactedUrl(this.parts.queueUrl)} is ${this.commands.status}`,
      );
    }
  }

  private deliver(message: WorkerMessage): void {
    const execution = this.executions.get(message.id);
    if (!execution || execution.isFinal) return;
    switch (message.type) {
      case "taken":
        execution.taken(message.workerId);
        return;
      case "output":
        execution.applyOutput(message.chunk);
        return;
      case "event":
        execution.applyEvent(message.event);
        return;
      case "ended":
        execution.applyEnd(message.result);
        return;
    }
  }

  /** Holds the stream reader while a spool is far behind the disk (as a local child's pipes). */
  private async spoolsCaughtUp(): Promise<void> {
    for (const execution of this.executions.active()) {
      const spool = execution.spool;
      if (spool && spool.backlogBytes > 1024 * 1024) await spool.backlogAtMost(512 * 1024);
    }
  }

  /** A worker that stopped beating takes its executions down (DESIGN §12: within 30 s). */
  private checkWorkers(): void {
    if (this.registry.error !== null) return; // Redis away: nobody can beat; judge later
    void this.checkLostJobs();
    for (const execution of this.executions.active()) {
      const workerId = execution.workerId;
      if (workerId === null || this.registry.isAlive(workerId)) continue;
      const sinceTakenMs = Date.now() - execution.takenAtMs;
      if (!this.registry.known(workerId) && sinceTakenMs < WORKER_DEAD_AFTER_MS) continue;
      this.parts.warn?.("a worker stopped answering: its execution is interrupted", {
        worker_id: workerId,
        execution_id: execution.id,
      });
      execution.endHere(
        "interrupted",
        `worker ${workerId} stopped answering (no heartbeat for ${WORKER_DEAD_AFTER_MS / 1000} s)`,
      );
    }
  }

  /**
   * A Redis that restarted without its data has lost the jobs still waiting: no worker will
   * ever take them. Missing twice, LOST_CHECK_MS apart and still not taken (a job that was
   * taken and done meanwhile is gone from the queue too, but its "taken" came first), such an
   * execution ends `failed` instead of waiting for ever.
   */
  private async checkLostJobs(): Promise<void> {
    const now = Date.now();
    if (now - this.lastLostCheckMs < LOST_CHECK_MS) return;
    this.lastLostCheckMs = now;
    const waiting = this.executions
      .active()
      .filter(
        (e) =>
          e.workerId === null && e.jobId !== null && now - e.submittedAt.getTime() > LOST_CHECK_MS,
      );
    for (const execution of waiting) {
      const state = await this.queue.getJobState(execution.jobId as string).catch(() => null);
      if (state !== "unknown" || execution.workerId !== null) {
        this.missingJobs.delete(execution.id);
        continue;
      }
      if (!this.missingJobs.delete(execution.id)) {
        this.missingJobs.add(execution.id);
        continue;
      }
      execution.endHere(
        "failed",
        "its job is no longer in the queue (did Redis restart without its data?)",
      );
    }
  }

  private send(execution: RemoteExecution, action: "cancel" | "pause" | "resume"): void {
    if (action === "cancel" && execution.workerId === null) {
      void this.removeWaiting(execution, "canceled");
      return;
    }
    this.publish({ id: execution.id, action });
  }

  /** Takes a job off the queue before a worker has it; if one has it by now, tells that one. */
  private async removeWaiting(
    execution: RemoteExecution,
    status: "canceled" | "interrupted",
  ): Promise<void> {
    const action = status === "canceled" ? "cancel" : "interrupt";
    try {
      // The mark first: a worker taking the job from now on sees it and does not run it.
      await this.commands.set(this.keys.canceled(execution.id), action, "EX", 3600);
      const removed = execution.jobId ? await this.queue.remove(execution.jobId) : 0;
      if (removed === 1) {
        execution.endHere(status, "removed from the queue before a worker took it");
        return;
      }
    } catch {
      // Redis away: the mark may not be set; the publish below is all that can be tried.
    }
    this.publish({ id: execution.id, action });
  }

  private publish(message: ControlMessage): void {
    this.commands.publish(this.keys.control, JSON.stringify(message)).catch(() => {});
  }

  private ended(execution: RemoteExecution): void {
    this.countSession(execution.spec.sessionId, -1);
    for (const observer of this.observers) observer.ended?.(execution);
    const spool = execution.spool;
    if (spool) {
      void spool
        .finish()
        .then(() => {
          if (!spool.complete) return;
          execution.output.window.clear();
          if (spool.sizeBytes > 0) this.parts.spoolJanitor?.adopt(spool.dir, spool.sizeBytes);
        })
        .catch(() => {});
    }
    this.executions.retire(execution, this.parts.limits.retainEnded);
  }

  private countSession(sessionId: string | null, delta: number): void {
    if (sessionId === null) return;
    const count = (this.activeBySession.get(sessionId) ?? 0) + delta;
    if (count > 0) this.activeBySession.set(sessionId, count);
    else this.activeBySession.delete(sessionId);
  }
}

function jobFor(request: ExecutionRequest, spec: ExecutionSpec): ExecutionJob {
  // The timeout the server decided (from its history) travels as the request's own.
  const timeout = spec.timeoutMs === null ? undefined : spec.timeoutMs / 1000;
  const params = { ...request.params, timeout };
  const sent = { kind: request.kind, params } as ExecutionRequest;
  return { request: sent, task: spec.task ?? null };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer in ${ms / 1000} s`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolvePromise(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
