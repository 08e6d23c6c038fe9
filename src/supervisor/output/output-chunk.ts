import type { OutputStream } from "../../protocol/notifications.js";

/**
 * One `process.output` notification's worth of output, as the supervisor produced it.
 *
 * It holds the child's raw bytes, not decoded text, as a view of the memory window's ring buffer
 * (replay-window.ts): the ring is reused, so a listener that keeps bytes past the `output` call
 * copies them (output-capture.ts). Text and frames are made when needed and dropped right after
 * (see chunkText).
 */
export interface OutputChunk {
  seq: number;
  stream: OutputStream;
  raw: Buffer;
  chunkIndex: number;
  totalChunks: number;
}

export type OutputEncoding = "utf8" | "base64";

/** The chunk as the protocol carries it: UTF-8 text, or base64 when the execution asked. */
export function chunkText(chunk: OutputChunk, encoding: OutputEncoding): string {
  return chunk.raw.toString(encoding);
}
