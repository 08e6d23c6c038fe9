/**
 * `cc-executor worker` (DESIGN §12): takes execution jobs from the BullMQ queue and runs them
 * with a LocalEngine (worker-engine.ts), reporting through the output stream; announces itself
 * with a heartbeat; obeys cancel/pause/resume from the control channel. No token, no port.
 *
 * BullMQ's stalled-job re-run is off (maxStalledCount 0): a job whose worker died is never run
 * again; the server notices the silent heartbeat and ends it `interrupted`. The children of a
 * SIGKILLed worker die with it: the supervisor's guardian (supervisor/process/guardian.ts)
 * kills every process group it registered when the worker's end of its pipe closes.
 */
import { hostname } from "node:os";
import { type Job, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Settings } from "../config/settings.js";
import type { LocalEngine } from "../engine/local-engine.js";
import type { ExecutionJob } from "../engine/queued/execution-job.js";
import {
  type ControlChannelMessage,
  HEARTBEAT_INTERVAL_MS,
  QUEUE_NAME,
  QueueKeys,
  SERVER_GONE_AFTER_MS,
  WORKER_DEAD_AFTER_MS,
  type WorkerBeat,
} from "../engine/queued/queue-keys.js";
import { connected, queueConnection } from "../engine/queued/redis-connection.js";
import { JobRunner } from "./job-runner.js";
import { ServerWatch } from "./server-watch.js";
import { StreamWriter } from "./stream-writer.js";
import { workerEngine } from "./worker-engine.js";

export interface WorkerOptions {
  redisUrl: string;
  prefix: string;
  concurrency: number;
  /** Default `<hostname>:<pid>`. */
  name?: string;
  /** On SIGTERM let running jobs finish (true) or interrupt them (false). */
  drainOnStop: boolean;
  /** How long a server's liveness key may be missing before its jobs are interrupted (tests). */
  serverGoneAfterMs?: number;
  settings: Settings;
  log(message: string): void;
}

const CONNECT_TIMEOUT_MS = 10_000;
/**
 * On stop, once every child has ended: how long their last writes may wait for a Redis that
 * does not answer before they are given up (the server counts them `interrupted`).
 */
const STOP_FLUSH_MS = 5000;
/** After that, how long BullMQ's own close may still wait for Redis. */
const STOP_CLOSE_MS = 2000;

export class ExecutionWorker {
  readonly id: string;
  private readonly keys: QueueKeys;
  private readonly commands: Redis;
  private readonly subscriber: Redis;
  private readonly stream: StreamWriter;
  private readonly engine: LocalEngine;
  private readonly runners = new Map<string, JobRunner>();
  private readonly servers: ServerWatch;
  private worker: Worker<ExecutionJob> | null = null;
  private beatTimer: NodeJS.Timeout | null = null;
  private stopping: Promise<void> | null = null;
  /** When a heartbeat last reached Redis (this process's clock). */
  private lastBeatOkMs = Date.now();

  constructor(private readonly options: WorkerOptions) {
    this.id = options.name ?? `${hostname()}:${process.pid}`;
    this.keys = new QueueKeys(options.prefix);
    this.commands = queueConnection(options.redisUrl, `cc-executor-worker-${this.id}`);
    this.subscriber = queueConnection(options.redisUrl, `cc-executor-worker-${this.id}-control`);
    this.stream = new StreamWriter(this.commands, this.keys.output, options.log);
    this.engine = workerEngine(options.settings, options.concurrency);
    this.servers = new ServerWatch(
      this.commands,
      this.keys,
      options.serverGoneAfterMs ?? SERVER_GONE_AFTER_MS,
    );
  }

  /** Connects (or rejects with why), announces itself, then takes jobs. */
  async start(): Promise<void> {
    await connected(this.commands, this.options.redisUrl, CONNECT_TIMEOUT_MS);
    await this.refuseDuplicateName();
    await this.beat();
    this.beatTimer = setInterval(() => void this.beat(), HEARTBEAT_INTERVAL_MS);
    this.subscriber.on("message", (_channel, text) => this.control(text));
    await this.subscriber.subscribe(this.keys.control);
    this.commands.on("error", (error) => this.options.log(`Redis: ${error.message}`));
    if (this.stopping) return; // stopped while connecting: take nothing
    this.worker = new Worker<ExecutionJob>(QUEUE_NAME, (job) => this.process(job), {
      connection: this.commands,
      prefix: this.options.prefix,
      concurrency: this.options.concurrency,
      // No job runs twice (DESIGN §12): a stalled job fails instead of running again.
      maxStalledCount: 0,
    });
    this.worker.on("error", (error) => this.options.log(`queue: ${error.message}`));
    await this.worker.waitUntilReady();
  }

  /**
   * Two live workers of one name would be one in status and history: the second refuses. The
   * name is claimed with SET NX (atomic: of two started at once, one wins) and kept by each beat.
   */
  private async refuseDuplicateName(): Promise<void> {
    const key = this.keys.workerName(this.id);
    const mine = this.nameClaim();
    if ((await this.commands.set(key, mine, "PX", WORKER_DEAD_AFTER_MS, "NX")) === "OK") return;
    const holder = parseClaim(await this.commands.get(key));
    // A worker restarted on the same machine (systemd after a crash) follows its dead self.
    if (holder && holder.host === hostname() && !processAlive(holder.pid)) {
      await this.commands.set(key, mine, "PX", WORKER_DEAD_AFTER_MS);
      return;
    }
    const who = holder ? `pid ${holder.pid} on ${holder.host}` : "another process";
    throw new Error(
      `a worker named ${this.id} is already running (${who}); give this one another --name`,
    );
  }

  private nameClaim(): string {
    return JSON.stringify({ host: hostname(), pid: process.pid });
  }

  /** SIGTERM: no new jobs; running ones finish (drain) or are interrupted; nothing left behind. */
  stop(): Promise<void> {
    this.stopping ??= this.stopNow();
    return this.stopping;
  }

  /** After a failed start: nothing was taken; drop the connections without waiting on Redis. */
  async abandon(): Promise<void> {
    if (this.beatTimer) clearInterval(this.beatTimer);
    await this.worker?.close(true).catch(() => {});
    await this.engine.shutdown();
    this.subscriber.disconnect();
    this.commands.disconnect();
  }

  private async stopNow(): Promise<void> {
    const closing = this.worker?.close() ?? Promise.resolve();
    if (!this.options.drainOnStop)
      for (const runner of this.runners.values()) runner.apply("interrupt");
    // A Redis that is away (or frozen) must not keep the worker from exiting: once the children
    // have ended, their last writes get STOP_FLUSH_MS, then BullMQ's close STOP_CLOSE_MS more.
    let closed = false;
    const gaveUp = Promise.all([...this.runners.values()].map((r) => r.ended))
      .then(() => sleep(STOP_FLUSH_MS))
      .then(() => {
        if (closed) return;
        this.options.log("Redis does not answer: giving up the last output not yet written");
        this.stream.giveUp();
        return sleep(STOP_CLOSE_MS);
      });
    await Promise.race([closing, gaveUp]);
    closed = true;
    await Promise.race([this.stream.flushed(), sleep(STOP_FLUSH_MS)]);
    if (this.beatTimer) clearInterval(this.beatTimer);
    // Said when Redis answers; a Redis that is away must not keep the worker from exiting.
    await Promise.race([this.beat(true), sleep(2000)]);
    await this.engine.shutdown();
    this.subscriber.disconnect();
    this.commands.disconnect();
  }

  private async process(job: Job<ExecutionJob>): Promise<void> {
    const runner = new JobRunner(job.data, {
      workerId: this.id,
      engine: this.engine,
      commands: this.commands,
      keys: this.keys,
      stream: this.stream,
    });
    this.runners.set(runner.executionId, runner);
    try {
      await runner.run();
    } finally {
      this.runners.delete(runner.executionId);
    }
  }

  private control(text: string): void {
    let message: ControlChannelMessage;
    try {
      message = JSON.parse(text) as ControlChannelMessage;
    } catch {
      return;
    }
    if (message.action === "server-started") {
      this.interruptOrphans(message.server);
      return;
    }
    this.runners.get(message.id)?.apply(message.action);
  }

  /**
   * A server started in place of the one that queued these (it died: its history marks them
   * `interrupted`, and it will never hear their end): interrupt them rather than let them run
   * unheard. Jobs of the new server itself go on.
   */
  private interruptOrphans(server: string): void {
    const orphans = [...this.runners.values()].filter((r) => r.server !== server);
    if (orphans.length === 0) return;
    this.options.log(
      `a new server started: interrupting ${orphans.length} executions of the one before it`,
    );
    for (const runner of orphans) runner.apply("interrupt");
  }

  /**
   * A server that died and never came back (its liveness key missing while Redis answers):
   * interrupt its jobs, as when a new server announces itself.
   */
  private async interruptJobsOfGoneServers(): Promise<void> {
    const instances = new Set<string>();
    for (const runner of this.runners.values()) if (runner.server) instances.add(runner.server);
    for (const server of await this.servers.gone([...instances])) {
      const orphans = [...this.runners.values()].filter((r) => r.server === server);
      if (orphans.length === 0) continue;
      this.options.log(
        `server ${server} is gone (no liveness key in Redis): interrupting its ${orphans.length} executions`,
      );
      for (const runner of orphans) runner.apply("interrupt");
    }
  }

  private async beat(stopped = false): Promise<void> {
    // Before the write: while Redis is away the write waits (it is retried on reconnect).
    this.fenceIfUnheard();
    if (!stopped) void this.interruptJobsOfGoneServers();
    const beat: WorkerBeat & { stopped?: boolean } = {
      id: this.id,
      host: hostname(),
      pid: process.pid,
      concurrency: this.options.concurrency,
      running: this.runners.size,
      last_heartbeat: Date.now(),
      ...(stopped ? { stopped: true } : {}),
    };
    const claim = this.keys.workerName(this.id);
    // The name is kept while this worker beats, and let go when it stops.
    const named = stopped
      ? this.commands.del(claim)
      : this.commands.set(claim, this.nameClaim(), "PX", WORKER_DEAD_AFTER_MS);
    named.catch(() => {}); // said by the heartbeat's own failure below
    await this.commands.hset(this.keys.workers, this.id, JSON.stringify(beat)).then(
      () => {
        this.lastBeatOkMs = Date.now();
      },
      (error: Error) => this.options.log(`heartbeat: ${error.message}`),
    );
  }

  /**
   * Cut off from Redis for nearly as long as the server waits before it calls this worker dead
   * (and ends its executions `interrupted`): interrupt them here too, so nothing the server
   * has given up on goes on running unseen.
   */
  private fenceIfUnheard(): void {
    const silentMs = Date.now() - this.lastBeatOkMs;
    if (silentMs < WORKER_DEAD_AFTER_MS - HEARTBEAT_INTERVAL_MS || this.runners.size === 0) return;
    this.options.log(
      `no heartbeat reached Redis for ${Math.round(silentMs / 1000)} s: interrupting ${this.runners.size} executions (the server counts them interrupted)`,
    );
    for (const runner of this.runners.values()) runner.apply("interrupt");
  }
}

function parseClaim(raw: string | null): { host: string; pid: number } | null {
  if (raw === null) return null;
  try {
    const claim = JSON.parse(raw) as { host?: unknown; pid?: unknown };
    if (typeof claim.host === "string" && typeof claim.pid === "number")
      return { host: claim.host, pid: claim.pid };
  } catch {
    // not ours: name it "another process"
  }
  return null;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
