/**
 * The fast path of `process.output` frames in WebAssembly SIMD (newline-escaper.wat): bytes
 * copied with each "\n" written as "\\n", 16 bytes at a time. Measured on 64 KiB of 60-byte
 * lines, both copies in and out of the module's memory included: 1.8 GB/s where the JavaScript
 * word loop of json-string.ts makes 0.9 (docs/benchmarks.md). Where WebAssembly SIMD is missing,
 * `newlineEscaper()` is null and that loop does the work.
 */
import { NEWLINE_ESCAPER_WASM_BASE64 } from "./newline-escaper-wasm.js";

/** Larger chunks take the JavaScript path; output chunks are at most 64 KiB. */
const MAX_INPUT_BYTES = 64 * 1024;
const INPUT_AT = 0;
/** Room for every byte escaped, and 16 more: a vector is stored whole before it is inspected. */
const OUTPUT_AT = MAX_INPUT_BYTES;

export interface NewlineEscaper {
  readonly maxInputBytes: number;
  /**
   * Copies `bytes` to `target` at `at` with "\n" escaped and returns where the copy ends, or -1
   * at a byte that needs another escape. `target` needs room for twice the bytes.
   */
  copy(bytes: Uint8Array, target: Uint8Array, at: number): number;
}

let loaded: NewlineEscaper | null | undefined;

/** The escaper, made on first use (it costs nothing to a server that streams nothing). */
export function newlineEscaper(): NewlineEscaper | null {
  if (loaded === undefined) loaded = instantiate();
  return loaded;
}

function instantiate(): NewlineEscaper | null {
  let exports: WebAssembly.Exports;
  try {
    const bytes = Buffer.from(NEWLINE_ESCAPER_WASM_BASE64, "base64");
    exports = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports;
  } catch {
    return null; // no WebAssembly SIMD in this runtime
  }
  const escapeNewlines = exports.escapeNewlines as (
    input: number,
    length: number,
    output: number,
  ) => number;
  // The memory never grows, so one view of it stays valid.
  const memory = new Uint8Array((exports.memory as WebAssembly.Memory).buffer);
  return {
    maxInputBytes: MAX_INPUT_BYTES,
    copy(bytes, target, at) {
      if (bytes.length > MAX_INPUT_BYTES) throw new RangeError("chunk larger than the escaper");
      memory.set(bytes, INPUT_AT);
      const end = escapeNewlines(INPUT_AT, bytes.length, OUTPUT_AT);
      if (end < 0) return -1;
      target.set(memory.subarray(OUTPUT_AT, end), at);
      return at + end - OUTPUT_AT;
    },
  };
}
