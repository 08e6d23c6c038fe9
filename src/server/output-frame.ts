/**
 * The `process.output` notification, serialised by hand: it is the one frame on the hot path.
 * Field order and names follow ProcessOutputParams; a test checks this against JSON.stringify
 * of the same object.
 *
 * Frames are not kept with the chunks (retained strings make the garbage collector work hard
 * under heavy output); instead the last frame built is remembered, so every live subscriber of
 * an execution shares one serialisation of each chunk.
 */
import type { OutputChunk, OutputEncoding } from "../supervisor/output-chunk.js";
import { jsonStringOf } from "./json-string.js";

let lastChunk: OutputChunk | null = null;
let lastFrame = "";

export function outputFrame(
  executionIdJson: string,
  chunk: OutputChunk,
  encoding: OutputEncoding,
): string {
  if (chunk === lastChunk) return lastFrame;
  const frame =
    `{"jsonrpc":"2.0","method":"process.output","params":{"execution_id":${executionIdJson},` +
    `"seq":${chunk.seq},"type":"${chunk.stream}","data":${jsonStringOf(chunk.raw, encoding)},` +
    `"truncated":false,"chunk_index":${chunk.chunkIndex},"total_chunks":${chunk.totalChunks}` +
    `${encoding === "base64" ? ',"encoding":"base64"' : ""}}}`;
  lastChunk = chunk;
  lastFrame = frame;
  return frame;
}
