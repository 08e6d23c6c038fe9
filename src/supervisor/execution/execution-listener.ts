import type { ProcessCompletedParams } from "../../protocol/notifications.js";
import type { OutputChunk } from "../output/output-chunk.js";

/** Who hears an execution: a connection's subscription, the history recorder, a Claude parser. */
export interface ExecutionListener {
  /** `chunk.raw` is valid during the call only (a reused buffer): copy the bytes you keep. */
  output(chunk: OutputChunk): void;
  /** process.started / paused / resumed / canceled / status / error, with their params. */
  event(method: string, params: object): void;
  completed(params: ProcessCompletedParams): void;
}
