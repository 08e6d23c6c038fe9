/**
 * Executions no one will finish (DESIGN §12): those of a worker that stopped beating end
 * `interrupted` (within WORKER_DEAD_AFTER_MS + a poll, far inside the 30 s allowed), and those
 * whose waiting job Redis lost (a restart without its data) end `failed`. Run after every poll
 * of the worker registry.
 */
import type { Queue } from "bullmq";
import type { ExecutionJob } from "./execution-job.js";
import type { ExecutionSet } from "./execution-set.js";
import { WORKER_DEAD_AFTER_MS } from "./queue-keys.js";
import type { WorkerRegistry } from "./worker-registry.js";

/** How often waiting executions are checked for a job Redis lost. */
const LOST_CHECK_MS = 5000;

export class LostExecutions {
  /** Waiting executions whose job was found missing once. */
  private readonly missingJobs = new Set<string>();
  private lastLostCheckMs = 0;

  constructor(
    private readonly executions: ExecutionSet,
    private readonly registry: WorkerRegistry,
    private readonly queue: Queue<ExecutionJob>,
    private readonly warn?: (message: string, details?: Record<string, unknown>) => void,
  ) {}

  check(): void {
    if (this.registry.error !== null) return; // Redis away: nobody can beat; judge later
    void this.checkLostJobs();
    for (const execution of this.executions.active()) {
      const workerId = execution.workerId;
      if (workerId === null || this.registry.isAlive(workerId)) continue;
      const sinceTakenMs = Date.now() - execution.takenAtMs;
      if (!this.registry.known(workerId) && sinceTakenMs < WORKER_DEAD_AFTER_MS) continue;
      this.warn?.("a worker stopped answering: its execution is interrupted", {
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
   * Missing twice, LOST_CHECK_MS apart and still not taken (a job that was taken and done
   * meanwhile is gone from the queue too, but its "taken" came first): ends `failed` instead of
   * waiting for ever.
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
}
