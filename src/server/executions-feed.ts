/**
 * `executions.subscribe`: the connections that want every execution of the server, not just the
 * ones they started or follow (the dashboard's live list). The feed observes the engine once and
 * sends each subscriber `executions.changed` — the execution as `executions.list` shows it — when
 * one is created, starts, pauses, resumes or ends. No output goes this way (that is `subscribe`).
 */
import type { EngineObserver } from "../engine/engine.js";
import type { ExecutionHandle } from "../engine/execution-handle.js";
import type { ExecutionChange, ExecutionsChangedParams } from "../protocol/results.js";
import { executionSummary } from "./wire/execution-summary.js";

export interface FeedSubscriber {
  notify(method: string, params: object): void;
}

export class ExecutionsFeed implements EngineObserver {
  /** Connections leave when they unsubscribe or close (RpcConnection's close). */
  private readonly subscribers = new Set<FeedSubscriber>();

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  add(subscriber: FeedSubscriber): void {
    this.subscribers.add(subscriber);
  }

  delete(subscriber: FeedSubscriber): boolean {
    return this.subscribers.delete(subscriber);
  }

  created(execution: ExecutionHandle): void {
    this.send("created", execution);
    execution.addListener({
      event: (event) => {
        if (event.type === "started" || event.type === "paused" || event.type === "resumed")
          this.send(event.type, execution);
      },
    });
  }

  ended(execution: ExecutionHandle): void {
    this.send("ended", execution);
  }

  private send(change: ExecutionChange, execution: ExecutionHandle): void {
    if (this.subscribers.size === 0) return;
    const params: ExecutionsChangedParams = { change, execution: executionSummary(execution) };
    for (const subscriber of this.subscribers) subscriber.notify("executions.changed", params);
  }
}
