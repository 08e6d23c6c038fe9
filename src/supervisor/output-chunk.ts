import type { OutputStream } from "../protocol/notifications.js";

/** One `process.output` notification's worth of output, as the supervisor produced it. */
export interface OutputChunk {
  seq: number;
  stream: OutputStream;
  /** Decoded UTF-8, or base64 when the execution asked for it. */
  data: string;
  /** Raw bytes of the child's output in this chunk. */
  bytes: number;
  chunkIndex: number;
  totalChunks: number;
  /** The serialised notification, built once on first send and shared by every subscriber. */
  frame?: string;
}
