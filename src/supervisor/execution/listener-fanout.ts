/**
 * The listeners of one execution (subscriptions, the history recorder, a Claude parser): each
 * output chunk, event and the completion goes to every one of them, in the order they were
 * added. A listener may remove itself while it hears (a Set iterates on past a deletion).
 */
import type { ProcessCompletedParams } from "../../protocol/notifications.js";
import type { OutputChunk } from "../output/output-chunk.js";
import type { ExecutionListener } from "./execution-listener.js";

export class ListenerFanout implements ExecutionListener {
  private readonly listeners = new Set<ExecutionListener>();

  add(listener: ExecutionListener): void {
    this.listeners.add(listener);
  }

  delete(listener: ExecutionListener): void {
    this.listeners.delete(listener);
  }

  output(chunk: OutputChunk): void {
    for (const listener of this.listeners) listener.output(chunk);
  }

  event(method: string, params: object): void {
    for (const listener of this.listeners) listener.event(method, params);
  }

  completed(params: ProcessCompletedParams): void {
    for (const listener of this.listeners) listener.completed(params);
  }
}
