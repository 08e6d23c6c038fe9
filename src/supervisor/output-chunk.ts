import type { OutputStream } from "../protocol/notifications.js";

/**
 * One `process.output` notification's worth of output, as the supervisor produced it.
 *
 * It holds the child's raw bytes, not decoded text: the memory window keeps hundreds of chunks,
 * and bytes live outside the JavaScript heap, so retaining them costs the garbage collector
 * nothing. Text and frames are made when needed and dropped right after (see chunkText).
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
