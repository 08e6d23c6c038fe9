/**
 * The `process.output` notification, serialised by hand: it is the one frame on the hot path,
 * built once per chunk and shared by every subscriber. Field order and names follow
 * ProcessOutputParams; a test checks this against JSON.stringify of the same object.
 */
import type { OutputChunk } from "../supervisor/output-chunk.js";

export function outputFrame(executionIdJson: string, chunk: OutputChunk, base64: boolean): string {
  return (
    `{"jsonrpc":"2.0","method":"process.output","params":{"execution_id":${executionIdJson},` +
    `"seq":${chunk.seq},"type":"${chunk.stream}","data":${JSON.stringify(chunk.data)},` +
    `"truncated":false,"chunk_index":${chunk.chunkIndex},"total_chunks":${chunk.totalChunks}` +
    `${base64 ? ',"encoding":"base64"' : ""}}}`
  );
}
