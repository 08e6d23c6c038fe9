/**
 * Cancel, pause, resume and interrupt of executions a queued engine holds (DESIGN §12): to the
 * worker that holds one over pub/sub (every worker hears the channel; the holder acts), or, for
 * a job no worker has taken yet, by removing it from the queue — with a mark first, so a worker
 * that takes it in the meantime cancels it at once.
 */
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { ExecutionJob } from "./execution-job.js";
import type { ControlChannelMessage, QueueKeys } from "./queue-keys.js";
import type { RemoteControl, RemoteExecution } from "./remote-execution.js";

const MARK_TTL_SECONDS = 3600;

export class QueueControl implements RemoteControl {
  constructor(
    private readonly commands: Redis,
    private readonly queue: Queue<ExecutionJob>,
    private readonly keys: QueueKeys,
  ) {}

  send(execution: RemoteExecution, action: "cancel" | "pause" | "resume"): void {
    if (action === "cancel" && execution.workerId === null) {
      void this.removeWaiting(execution, "canceled");
      return;
    }
    this.publish({ id: execution.id, action });
  }

  /** The server stops: whatever runs or waits ends `interrupted`. */
  interrupt(execution: RemoteExecution): void {
    if (execution.status === "queued" && execution.workerId === null) {
      void this.removeWaiting(execution, "interrupted");
    } else this.publish({ id: execution.id, action: "interrupt" });
  }

  /**
   * This server (instance `server`) starts: workers interrupt what they still run for a
   * server that died before it (its history marked those executions `interrupted`).
   */
  async announceStart(server: string): Promise<void> {
    await this.commands.publish(
      this.keys.control,
      JSON.stringify({ action: "server-started", server } satisfies ControlChannelMessage),
    );
  }

  /**
   * A job that may have reached the queue after its execution was given up: never run it. The
   * mark stops a worker that takes it later; the publish (sent after the mark, so a worker
   * that misses it reads the mark) stops one that already took it.
   */
  markCanceled(executionId: string): void {
    this.commands
      .set(this.keys.canceled(executionId), "cancel", "EX", MARK_TTL_SECONDS)
      .catch(() => {});
    this.publish({ id: executionId, action: "cancel" });
  }

  /**
   * Its worker stopped answering and this server ended it `interrupted`: should the worker be
   * alive after all (a stall, not a death), it must not go on running what nobody hears.
   */
  givenUp(execution: RemoteExecution): void {
    this.publish({ id: execution.id, action: "interrupt" });
  }

  private async removeWaiting(
    execution: RemoteExecution,
    status: "canceled" | "interrupted",
  ): Promise<void> {
    const action = status === "canceled" ? "cancel" : "interrupt";
    try {
      await this.commands.set(this.keys.canceled(execution.id), action, "EX", MARK_TTL_SECONDS);
      const removed = execution.jobId ? await this.queue.remove(execution.jobId) : 0;
      if (removed === 1) {
        execution.endHere(status, "removed from the queue before a worker took it");
        return;
      }
    } catch {
      // Redis away: the mark may not be set; the publish below is all that can be tried.
    }
    // A worker has it by now (or the add is still on its way): tell whoever holds it.
    this.publish({ id: execution.id, action });
  }

  private publish(message: ControlChannelMessage): void {
    this.commands.publish(this.keys.control, JSON.stringify(message)).catch(() => {});
  }
}
