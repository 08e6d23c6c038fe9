/**
 * The executions a queued engine holds: by id, in submission order, with the ended ones kept
 * (the newest `retainEnded`) for listing and replay, as the supervisor keeps local ones; and
 * how many each connection has running or queued (its admission share).
 */
import type { ExecutionStatus } from "../../protocol/methods.js";
import type { RemoteExecution } from "./remote-execution.js";

export class ExecutionSet {
  private readonly byId = new Map<string, RemoteExecution>();
  private readonly endedOrder: RemoteExecution[] = [];
  private readonly activeBySession = new Map<string, number>();

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
    this.countSession(execution.spec.sessionId, +1);
  }

  /** Running or queued executions of a connection. */
  sessionCount(sessionId: string): number {
    return this.activeBySession.get(sessionId) ?? 0;
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

  /** Every one held, ended or not, newest first. */
  all(): RemoteExecution[] {
    return [...this.byId.values()].reverse();
  }

  /** It ended: it stops counting for its connection (before anyone hears of the end). */
  release(execution: RemoteExecution): void {
    this.countSession(execution.spec.sessionId, -1);
  }

  /** Kept among the newest `retainEnded` ended ones, the oldest beyond that forgotten. */
  retire(execution: RemoteExecution, retainEnded: number): void {
    this.endedOrder.push(execution);
    while (this.endedOrder.length > retainEnded) {
      const evicted = this.endedOrder.shift() as RemoteExecution;
      this.byId.delete(evicted.id);
    }
  }

  private countSession(sessionId: string | null, delta: number): void {
    if (sessionId === null) return;
    const count = (this.activeBySession.get(sessionId) ?? 0) + delta;
    if (count > 0) this.activeBySession.set(sessionId, count);
    else this.activeBySession.delete(sessionId);
  }
}
