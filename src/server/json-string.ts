/**
 * Output bytes as a JSON string literal, fast for the common case, as a string or written
 * straight into a buffer.
 *
 * On Node 20, JSON.stringify of a line-heavy string runs at ~380 MB/s: every newline takes its
 * slow path. Most output has no character that needs escaping except "\n", and for such text
 * replacing "\n" by "\\n" gives exactly what JSON.stringify gives, ~2× faster end to end. A
 * word-at-a-time scan of the raw bytes (~1.6 GB/s) tells which case a chunk is; anything with a
 * quote, backslash or other control character takes JSON.stringify.
 */

import { isUtf8 } from "node:buffer";

const NEEDS_ESCAPE = new Uint8Array(256);
for (let byte = 0; byte < 0x20; byte++) NEEDS_ESCAPE[byte] = 1;
NEEDS_ESCAPE[0x0a] = 0; // handled by the fast path
NEEDS_ESCAPE[0x22] = 1; // "
NEEDS_ESCAPE[0x5c] = 1; // \

const LOW_BITS = 0x01010101;
const HIGH_BITS = 0x80808080;
const CONTROLS = 0x20 * LOW_BITS;
const QUOTES = 0x22 * LOW_BITS;
const BACKSLASHES = 0x5c * LOW_BITS;

/**
 * A buffer seen as its unaligned head, its 4-byte words, and its tail: typed-array words need an
 * aligned start. Each word loop is its own function that ends in a plain `return`: V8 optimizes
 * a long loop while it is still running (on-stack replacement), before any call has reached the
 * code after the loop, and arithmetic there without type feedback made the optimized code bail
 * out on every later call (measured: the scan ran at a third of its speed in the server).
 */
interface WordSplit {
  headEnd: number;
  words: Uint32Array;
  tailStart: number;
}

function splitWords(bytes: Buffer): WordSplit | null {
  const headEnd = (4 - (bytes.byteOffset & 3)) & 3;
  if (bytes.length < headEnd + 4) return null;
  const count = (bytes.length - headEnd) >>> 2;
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset + headEnd, count);
  return { headEnd, words, tailStart: headEnd + count * 4 };
}

/** Whether `bytes` holds a byte other than "\n" that JSON must escape. */
export function needsFullEscape(bytes: Buffer): boolean {
  const split = splitWords(bytes);
  if (!split) return someNeedsEscape(bytes, 0, bytes.length);
  return (
    someNeedsEscape(bytes, 0, split.headEnd) ||
    someNeedsEscape(bytes, split.tailStart, bytes.length) ||
    someWordNeedsEscape(split.words, bytes, split.headEnd)
  );
}

function someWordNeedsEscape(words: Uint32Array, bytes: Buffer, firstByte: number): boolean {
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as number;
    // Some byte below 0x20 (exact test: no false negatives); "\n" is one, so look closer.
    if (((word - CONTROLS) & ~word & HIGH_BITS) !== 0) {
      if (someNeedsEscape(bytes, firstByte + i * 4, firstByte + i * 4 + 4)) return true;
    }
    const quote = word ^ QUOTES;
    if (((quote - LOW_BITS) & ~quote & HIGH_BITS) !== 0) return true;
    const backslash = word ^ BACKSLASHES;
    if (((backslash - LOW_BITS) & ~backslash & HIGH_BITS) !== 0) return true;
  }
  return false;
}

function someNeedsEscape(bytes: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (NEEDS_ESCAPE[bytes[i] as number] === 1) return true;
  return false;
}

/** The JSON string literal of the bytes decoded as UTF-8 (or their base64). */
export function jsonStringOf(bytes: Buffer, encoding: "utf8" | "base64"): string {
  if (encoding === "base64") return `"${bytes.toString("base64")}"`;
  const text = bytes.toString("utf8");
  return needsFullEscape(bytes) ? JSON.stringify(text) : `"${text.replaceAll("\n", "\\n")}"`;
}

/** Bytes `writeJsonString` may need for `bytes`: quotes, and "\n" written as two bytes. */
export function jsonStringMaxBytes(bytes: Buffer): number {
  return 2 + 2 * bytes.length;
}

/**
 * Writes the JSON string literal of UTF-8 `bytes` at `offset` of `target` and returns where it
 * ends, or -1 when the bytes are not valid UTF-8 or hold a character other than "\n" that needs
 * escaping (then use jsonStringOf, which decodes and escapes like JSON.stringify). The fast
 * case copies bytes with newlines escaped: no string is made, nothing lands on the V8 heap.
 */
export function writeJsonString(bytes: Buffer, target: Buffer, offset: number): number {
  if (!isUtf8(bytes)) return -1;
  target[offset] = 0x22;
  const end = copyEscapingNewlines(bytes, target, offset + 1);
  if (end < 0) return -1;
  target[end] = 0x22;
  return end + 1;
}

let targetView: DataView | null = null;

/**
 * Copies `bytes` to `target` at `at` with each "\n" written as "\\n" and returns where it
 * ends, or -1 at a byte that needs another escape. One pass, four bytes at a time: a word with
 * no byte below 0x20, no quote and no backslash (the bit tests are exact) is stored whole,
 * through a DataView since the target offset moves by one per newline. ~0.7 GB/s on 60-byte
 * lines where a scan then a byte-by-byte copy made ~0.45 GB/s, and indexOf + copy per line or
 * JSON.stringify of the text less: native calls cost more than the ~60 bytes of a typical line.
 * This is the largest part of the server's CPU per byte of line-heavy output. A WebAssembly SIMD
 * copy ran twice as fast alone but gained only 11–19 % end to end, not worth a second language
 * and its build step (docs/benchmarks.md, "Issue 14: the WebAssembly escaper").
 */
function copyEscapingNewlines(bytes: Buffer, target: Buffer, at: number): number {
  const split = splitWords(bytes);
  if (!split) return copyBytes(bytes, 0, bytes.length, target, at);
  if (targetView?.buffer !== target.buffer) targetView = new DataView(target.buffer);
  const afterHead = copyBytes(bytes, 0, split.headEnd, target, at);
  if (afterHead < 0) return -1;
  const afterWords = copyWords(split, bytes, target, targetView, afterHead);
  if (afterWords < 0) return -1;
  return copyBytes(bytes, split.tailStart, bytes.length, target, afterWords);
}

/** The words of `split`, at `at` of `target` (`view` is the DataView of its whole ArrayBuffer). */
function copyWords(
  split: WordSplit,
  bytes: Buffer,
  target: Buffer,
  view: DataView,
  at: number,
): number {
  const { words, headEnd } = split;
  const base = target.byteOffset;
  let to = at;
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as number;
    if (((word - CONTROLS) & ~word & HIGH_BITS) === 0) {
      const quote = word ^ QUOTES;
      const backslash = word ^ BACKSLASHES;
      if ((((quote - LOW_BITS) & ~quote) | ((backslash - LOW_BITS) & ~backslash)) & HIGH_BITS) {
        return -1;
      }
      view.setUint32(base + to, word, true);
      to += 4;
    } else {
      // A byte below 0x20: a newline to escape, or something only JSON.stringify handles.
      to = copyBytes(bytes, headEnd + i * 4, headEnd + i * 4 + 4, target, to);
      if (to < 0) return -1;
    }
  }
  return to;
}

/** Byte by byte: copies, escapes "\n", or returns -1 at a byte that needs another escape. */
function copyBytes(
  bytes: Buffer,
  from: number,
  end: number,
  target: Uint8Array,
  at: number,
): number {
  let to = at;
  for (let i = from; i < end; i++) {
    const byte = bytes[i] as number;
    if (byte === 0x0a) {
      target[to++] = 0x5c; // backslash
      target[to++] = 0x6e; // n
    } else if (NEEDS_ESCAPE[byte] === 1) {
      return -1;
    } else {
      target[to++] = byte;
    }
  }
  return to;
}
