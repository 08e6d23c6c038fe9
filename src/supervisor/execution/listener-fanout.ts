/**
 * The listeners of one execution (subscriptions, the history recorder, a Claude parser): each
 * output chunk, event and the end goes to every one of them, in the order they were added. A
 * listener may remove itself while it hears (a Set iterates on past a deletion).
 */
import type { OutputChunk } from "../output/output-chunk.js";
import type { ExecutionEvent } from "./execution-event.js";
import type { ExecutionListener } from "./execution-listener.js";
import type { ExecutionResult } from "./execution-result.js";

export class ListenerFanout {
  private readonly listeners = new Set<ExecutionListener>();

  add(listener: ExecutionListener): void {
    this.listeners.add(listener);
  }

  delete(listener: ExecutionListener): void {
    this.listeners.delete(listener);
  }

  output(chunk: OutputChunk): void {
    for (const listener of this.listeners) listener.output?.(chunk);
  }

  event(event: ExecutionEvent): void {
    for (const listener of this.listeners) listener.event?.(event);
  }

  ended(result: ExecutionResult): void {
    for (const listener of this.listeners) listener.ended?.(result);
  }
}
