/**
 * Executions no one will finish (DESIGN §12): those of a worker that stopped beating end
 * `interrupted` (within WORKER_DEAD_AFTER_MS + a poll + a stream read, far inside the 30 s
 * allowed; never right after a gap in reading the registry, and never before the output stream
 * has been read past the moment the worker was found gone, so its own reports win), and those
 * whose waiting job Redis lost (a restart without its data) end `failed`. Run after every poll
 * of the worker registry.
 */
import type { Queue } from "bullmq";
import type { ExecutionJob } from "./execution-job.js";
import type { ExecutionSet } from "./execution-set.js";
import type { OutputReader } from "./output-reader.js";
import type { QueueControl } from "./queue-control.js";
import { WORKER_DEAD_AFTER_MS } from "./queue-keys.js";
import type { WorkerRegistry } from "./worker-registry.js";

/** How often waiting executions are checked for a job Redis lost. */
const LOST_CHECK_MS = 5000;

export class LostExecutions {
  /** Waiting executions whose job was found missing, and when it first was. */
  private readonly missingJobs = new Map<string, number>();
  private lastLostCheckMs = 0;
  /** Workers found not alive, and when first: their reports written before then come first. */
  private readonly goneSince = new Map<string, number>();

  constructor(
    private readonly executions: ExecutionSet,
    private readonly registry: WorkerRegistry,
    private readonly queue: Queue<ExecutionJob>,
    private readonly reader: Pick<OutputReader, "caughtUpAtMs">,
    private readonly control: Pick<QueueControl, "givenUp">,
    private readonly warn?: (message: string, details?: Record<string, unknown>) => void,
  ) {}

  check(): void {
    if (this.registry.error !== null) return; // Redis away: nobody can beat; judge later
    void this.checkLostJobs();
    // Just back from a gap (Redis away or restarted empty): workers have not beaten again yet.
    if (!this.registry.canJudge()) return;
    const now = Date.now();
    const gone = new Set<string>();
    for (const execution of this.executions.active()) {
      const workerId = execution.workerId;
      if (workerId === null || this.registry.isAlive(workerId)) continue;
      const sinceTakenMs = now - execution.takenAtMs;
      if (!this.registry.known(workerId) && sinceTakenMs < WORKER_DEAD_AFTER_MS) continue;
      gone.add(workerId);
      // A worker that stopped (drained) reported each end before it said so; a reader held
      // back by a slow spool may not have delivered that yet: judge once it has read past.
      const goneSinceMs = this.goneSince.get(workerId) ?? now;
      this.goneSince.set(workerId, goneSinceMs);
      if (this.reader.caughtUpAtMs <= goneSinceMs) continue;
      this.warn?.("a worker stopped answering: its execution is interrupted", {
        worker_id: workerId,
        execution_id: execution.id,
      });
      execution.endHere(
        "interrupted",
        `worker ${workerId} stopped answering (no heartbeat for ${WORKER_DEAD_AFTER_MS / 1000} s)`,
      );
      this.control.givenUp(execution);
    }
    for (const workerId of this.goneSince.keys())
      if (!gone.has(workerId)) this.goneSince.delete(workerId);
  }

  /**
   * Missing twice, LOST_CHECK_MS apart, and still not taken once the output stream has been
   * read past the first miss: ends `failed` instead of waiting for ever. (A job taken and done
   * is gone from the queue too, but its worker wrote "taken" before that; a reader held back by
   * a slow spool may not have delivered it yet, hence the stream condition.)
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
    const waitingIds = new Set(waiting.map((e) => e.id));
    for (const id of this.missingJobs.keys()) if (!waitingIds.has(id)) this.missingJobs.delete(id);
    for (const execution of waiting) {
      const state = await this.queue.getJobState(execution.jobId as string).catch(() => null);
      if (state !== "unknown" || execution.workerId !== null || execution.isFinal) {
        this.missingJobs.delete(execution.id);
        continue;
      }
      const firstMissingMs = this.missingJobs.get(execution.id);
      if (firstMissingMs === undefined) {
        this.missingJobs.set(execution.id, now);
        continue;
      }
      if (this.reader.caughtUpAtMs <= firstMissingMs) continue; // its "taken" may be unread
      this.missingJobs.delete(execution.id);
      execution.endHere(
        "failed",
        "its job is no longer in the queue (did Redis restart without its data?)",
      );
    }
  }
}
