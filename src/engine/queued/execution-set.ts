/**
 * The executions a queued engine holds: by id, in submission order, with the ended ones kept
 * (the newest `retainEnded`) for listing and replay, as the supervisor keeps local ones.
 */
import type { ExecutionStatus } from "../../protocol/methods.js";
import type { RemoteExecution } from "./remote-execution.js";

export class ExecutionSet {
  private readonly byId = new Map<string, RemoteExecution>();
  private readonly endedOrder: RemoteExecution[] = [];

  get size(): number {
    return this.byId.size;
  }

  get queuedCount(): number {
    let count = 0;
    for (const execution of this.byId.values()) if (execution.status === "queued") count++;
    return count;
  }

  get runningCount(): number {
    let count = 0;
    for (const e of this.byId.values())
      if (e.status === "running" || e.status === "paused") count++;
    return count;
  }

  add(execution: RemoteExecution): void {
    this.byId.set(execution.id, execution);
  }

  get(id: string): RemoteExecution | undefined {
    return this.byId.get(id);
  }

  /** Not yet ended. */
  active(): RemoteExecution[] {
    return [...this.byId.values()].filter((e) => !e.isFinal);
  }

  /** Newest first. */
  list(filter: { status?: ExecutionStatus[]; sessionId?: string; limit: number }) {
    const all = [...this.byId.values()].reverse();
    return all
      .filter((e) => !filter.status || filter.status.includes(e.status))
      .filter((e) => filter.sessionId === undefined || e.spec.sessionId === filter.sessionId)
      .slice(0, filter.limit);
  }

  retire(execution: RemoteExecution, retainEnded: number): void {
    this.endedOrder.push(execution);
    while (this.endedOrder.length > retainEnded) {
      const evicted = this.endedOrder.shift() as RemoteExecution;
      this.byId.delete(evicted.id);
    }
  }
}
