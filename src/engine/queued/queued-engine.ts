/**
 * The engine of queue mode (DESIGN §12): requests are prepared here exactly as LocalEngine
 * prepares them (validation, pre-hooks, ALLOWED_COMMANDS, the timeout, the audit record), then
 * go to a BullMQ queue that workers (src/workers/) take them from. Each stays a RemoteExecution
 * here, fed by the workers' output stream; a worker that stops beating takes its executions
 * down as `interrupted`. Callers see the same ExecutionHandle as for a local run.
 */
import { randomUUID } from "node:crypto";
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
import { cancelOnAbort } from "../cancel-on-abort.js";
import type {
  ClusterStatus,
  EngineLoad,
  EngineObserver,
  ExecutionEngine,
  ExecutionRequest,
  StartContext,
  StartedExecution,
} from "../engine.js";
import { auditStart, type PrepareParts, prepareRequest } from "../prepare-request.js";
import { clusterStatus } from "./cluster-status.js";
import { deliverMessage } from "./deliver-message.js";
import { type ExecutionJob, jobFor } from "./execution-job.js";
import { ExecutionSet } from "./execution-set.js";
import { LostExecutions } from "./lost-executions.js";
import { OutputReader } from "./output-reader.js";
import { checkAdmission } from "./queue-admission.js";
import { QueueControl } from "./queue-control.js";
import { QUEUE_NAME, QueueKeys } from "./queue-keys.js";
import { connected, queueConnection, redactedUrl } from "./redis-connection.js";
import { RemoteExecution } from "./remote-execution.js";
import { settleSpool, spoolsCaughtUp } from "./remote-spools.js";
import { ServerBeat } from "./server-beat.js";
import { withTimeout } from "./with-timeout.js";
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
/** How long a request waits for a Redis that is (re)connecting before it is refused. */
const CONNECT_WAIT_MS = 2000;

export class QueuedEngine implements ExecutionEngine {
  readonly keys: QueueKeys;
  /** This server instance, carried by each job it queues (ServerStartedMessage). */
  readonly instanceId = randomUUID();
  private readonly commands: Redis;
  private readonly queue: Queue<ExecutionJob>;
  private readonly reader: OutputReader;
  private readonly registry: WorkerRegistry;
  private readonly lost: LostExecutions;
  private readonly control: QueueControl;
  private readonly beat: ServerBeat;
  private readonly executions = new ExecutionSet();
  private readonly observers: EngineObserver[] = [];
  private closing = false;
  private readerError: string | null = null;
  /** What a previous server left is gone (open()): requests are taken from then on. */
  private cleanedUp = false;
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
      (message) => deliverMessage(this.executions, message),
      () => spoolsCaughtUp(this.executions.active()),
      (error) => {
        this.readerError = error?.message ?? null;
      },
      (id, error) =>
        parts.warn?.("skipped a bad entry in the output stream", { id, error: error.message }),
    );
    this.registry = new WorkerRegistry(
      this.commands,
      this.keys,
      () => this.lost.check(),
      (id, error) => parts.warn?.("skipped a bad worker entry", { id, error }),
    );
    this.control = new QueueControl(this.commands, this.queue, this.keys);
    this.beat = new ServerBeat(this.commands, this.keys, this.instanceId);
    this.lost = new LostExecutions(
      this.executions,
      this.registry,
      this.queue,
      this.reader,
      this.control,
      parts.warn,
    );
  }

  /**
   * Forgets what a previous server left in the queue (its executions were marked interrupted
   * by history at start) and tells the workers to interrupt what they still run for it, then
   * reads the workers. Does not wait for Redis: a server whose
   * Redis is away serves the rest and says so in server.status.
   */
  open(): void {
    // Before any job of this instance exists: workers judge its jobs by this key.
    this.beat.start();
    const forget = async () => {
      await this.queue.drain(true);
      await this.commands.del(this.keys.output);
      await this.control.announceStart(this.instanceId);
    };
    this.opened = (async () => {
      // Until it is done no request is taken: a later del(output) would delete its entries.
      while (!this.closing) {
        try {
          await forget();
          this.cleanedUp = true;
          break;
        } catch (error) {
          this.parts.warn?.("could not clear what a previous server left in the queue", {
            error: (error as Error).message,
          });
          await new Promise((resolveWait) => setTimeout(resolveWait, CONNECT_WAIT_MS).unref());
        }
      }
      // A server stopped while Redis was away must not start reading after its close.
      if (this.closing) return;
      this.reader.start();
      this.registry.start();
    })();
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
    // job or their output; past a moment they are refused, never let in before it.
    await withTimeout(this.opened, CONNECT_WAIT_MS).catch(() => {});
    if (!this.cleanedUp && !this.closing)
      throw new AdmissionError(
        "limit_reached",
        `queue unavailable: Redis at ${redactedUrl(this.parts.queueUrl)} has not let this server clear what a previous one left`,
      );
    checkAdmission(
      spec.id,
      {
        closing: this.closing,
        idInUse: this.executions.get(spec.id) !== undefined,
        sessionCount: spec.sessionId === null ? null : this.executions.sessionCount(spec.sessionId),
        running: this.executions.runningCount,
        queued: this.executions.queuedCount,
        capacity: this.registry.capacity(),
        workers: this.registry.alive().length,
      },
      this.parts.limits,
    );
    const execution = new RemoteExecution(spec, this.parts.settingsFor(spec), this.control);
    this.executions.add(execution);
    void execution.done.then(() => this.ended(execution));
    for (const observer of this.observers) observer.created?.(execution);
    if (context.listener) execution.addListener(context.listener);
    auditStart(this.parts.audit, prepared, context.who);
    const queuedAt = this.executions.queuedCount;
    try {
      const job = await withTimeout(
        this.queue.add(spec.kind, jobFor(hooked, spec, this.instanceId), {
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
      this.control.markCanceled(spec.id);
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
    return clusterStatus({
      queueUrl: this.parts.queueUrl,
      queuePrefix: this.parts.queuePrefix,
      connection: this.commands.status,
      registry: this.registry,
      readerError: this.readerError,
    });
  }

  /** Interrupts everything queued or running and waits until each has ended. */
  async shutdown(): Promise<void> {
    this.closing = true;
    const pending = this.executions.active();
    for (const execution of pending) {
      this.control.interrupt(execution);
    }
    // Workers report each end through the stream; those that do not in time end here.
    const all = Promise.all(pending.map((e) => e.done));
    const timer = new Promise((resolveWait) => setTimeout(resolveWait, SHUTDOWN_WAIT_MS).unref());
    await Promise.race([all, timer]);
    for (const execution of pending) {
      execution.endHere("interrupted", "the server stopped before its worker reported the end");
    }
    await Promise.all(this.executions.all().map((e) => e.spool?.finish()));
    this.registry.stop();
    // Gone at once on a clean close (its jobs have all ended by now, or been given up).
    await withTimeout(this.beat.stop(), 2000).catch(() => {});
    await this.reader.close();
    // A Redis that is away must not hold the server's stop.
    await withTimeout(this.queue.close(), 2000).catch(() => {});
    this.commands.disconnect();
    this.parts.spoolJanitor?.stop();
    await this.parts.spoolJanitor?.idle();
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

  private ended(execution: RemoteExecution): void {
    this.executions.release(execution);
    for (const observer of this.observers) observer.ended?.(execution);
    settleSpool(execution, this.parts.spoolJanitor ?? null);
    this.executions.retire(execution, this.parts.limits.retainEnded);
  }
}
