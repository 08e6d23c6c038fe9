import type { OutputChunk } from "../output/output-chunk.js";
import type { ExecutionEvent } from "./execution-event.js";
import type { ExecutionResult } from "./execution-result.js";

/**
 * Who hears an execution: a connection's subscription, the history recorder, a Claude run's
 * parser, a task step's capture. Each hears what it needs; the rest may be left out.
 */
export interface ExecutionListener {
  /** `chunk.raw` is valid during the call only (a reused buffer): copy the bytes you keep. */
  output?(chunk: OutputChunk): void;
  event?(event: ExecutionEvent): void;
  /** The one end of the execution, after its last output chunk. */
  ended?(result: ExecutionResult): void;
}
