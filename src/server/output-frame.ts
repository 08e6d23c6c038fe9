/**
 * The `process.output` notification, serialised by hand straight into bytes: it is the one frame
 * on the hot path. Field order and names follow ProcessOutputParams; a test checks this against
 * JSON.stringify of the same object.
 *
 * A frame is written into a slab (runtime/byte-slabs.ts) and handed to the socket as it is, so
 * heavy output makes no strings on the V8 heap and no buffer per frame for malloc: the slab is
 * reused once the socket has written the frame. The last frame built is remembered, so every live
 * subscriber of an execution shares one serialisation of each chunk.
 */
import { ByteSlabs, type SlabRange } from "../runtime/byte-slabs.js";
import { collectGarbageSoon } from "../runtime/collect-garbage.js";
import type { OutputChunk, OutputEncoding } from "../supervisor/output/output-chunk.js";
import { jsonStringMaxBytes, jsonStringOf, writeJsonString } from "./json-string.js";

/** A frame's bytes; each holder (the cache, each socket write) releases it once. */
export interface OutputFrame {
  readonly bytes: Buffer;
  readonly range: SlabRange;
}

/**
 * Frames waiting in sockets. Each connection stops taking output at its high-water mark (plus a
 * catch-up read), so the slabs in use follow the connections' backlogs; enough for a couple of
 * connections' worth are kept for reuse while output flows, and let go when it stops.
 */
const slabs = new ByteSlabs({
  minSlabBytes: 256 * 1024,
  maxSlabBytes: 256 * 1024,
  maxFreeSlabs: 8,
});
/**
 * Where the fast path writes a frame before it is copied into a slab at its exact size: reserving
 * the worst case (every byte a newline) in the slab would leave two frames per slab, not four,
 * and the extra slabs a slow client's backlog needs would be dropped and made again.
 */
let scratch = Buffer.alloc(0);
const TRIM_AFTER_QUIET_MS = 5000;

/**
 * The chunk the last frame was built from, held weakly: its bytes are a view of the execution's
 * whole window ring (8 MiB), which would otherwise stay alive after the execution ended and its
 * window was cleared, making every later fork() copy its page tables (docs/benchmarks.md,
 * "Spawn cost after a large stream").
 */
let lastChunk: WeakRef<OutputChunk> | null = null;
let lastFrame: OutputFrame | null = null;
let encodedSinceTrim = false;
let trimTimer: NodeJS.Timeout | null = null;

/** The chunk's frame, retained for the caller: pass it to `releaseFrame` once sent. */
export function outputFrame(
  executionIdJson: string,
  chunk: OutputChunk,
  encoding: OutputEncoding,
): OutputFrame {
  if (!lastFrame || lastChunk?.deref() !== chunk) {
    const frame = encode(executionIdJson, chunk, encoding);
    encodedSinceTrim = true;
    trimTimer ??= setInterval(trimWhenQuiet, TRIM_AFTER_QUIET_MS).unref();
    if (lastFrame) slabs.release(lastFrame.range);
    lastChunk = new WeakRef(chunk);
    lastFrame = frame;
  }
  slabs.retain(lastFrame.range);
  return lastFrame;
}

export function releaseFrame(frame: OutputFrame): void {
  slabs.release(frame.range);
}

/** No frame for a while: the slabs kept for reuse go back (an idle server holds none). */
function trimWhenQuiet(): void {
  if (encodedSinceTrim) {
    encodedSinceTrim = false;
    return;
  }
  if (lastFrame) slabs.release(lastFrame.range);
  lastFrame = null;
  lastChunk = null;
  scratch = Buffer.alloc(0);
  slabs.trim();
  collectGarbageSoon();
  if (trimTimer) clearInterval(trimTimer);
  trimTimer = null;
}

function encode(
  executionIdJson: string,
  chunk: OutputChunk,
  encoding: OutputEncoding,
): OutputFrame {
  const head =
    `{"jsonrpc":"2.0","method":"process.output","params":{"execution_id":${executionIdJson},` +
    `"seq":${chunk.seq},"type":"${chunk.stream}","data":`;
  const tail =
    `,"truncated":false,"chunk_index":${chunk.chunkIndex},"total_chunks":${chunk.totalChunks}` +
    `${encoding === "base64" ? ',"encoding":"base64"' : ""}}}`;
  const headBytes = Buffer.byteLength(head);
  const tailBytes = tail.length; // ASCII
  const raw = chunk.raw;
  if (encoding === "utf8") {
    const worstBytes = headBytes + jsonStringMaxBytes(raw) + tailBytes;
    if (scratch.length < worstBytes) scratch = Buffer.allocUnsafeSlow(worstBytes);
    const dataAt = scratch.write(head, 0);
    const dataEnd = writeJsonString(raw, scratch, dataAt);
    if (dataEnd >= 0) {
      const bytes = dataEnd + scratch.write(tail, dataEnd, "latin1");
      const range = slabs.reserve(bytes);
      scratch.copy(range.slab.buffer, range.start, 0, bytes);
      return { bytes: range.slab.buffer.subarray(range.start, range.end), range };
    }
  }
  // Text that needs escaping beyond "\n" or is not valid UTF-8, and base64: as a string first.
  const data = jsonStringOf(raw, encoding);
  const bytes = headBytes + Buffer.byteLength(data) + tailBytes;
  const range = slabs.reserve(bytes);
  const target = range.slab.buffer;
  let at = range.start + target.write(head, range.start);
  at += target.write(data, at);
  target.write(tail, at, "latin1");
  return { bytes: target.subarray(range.start, range.start + bytes), range };
}
