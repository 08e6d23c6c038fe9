/**
 * A task's result as its record keeps it and later tasks template it in (`{{tasks.N.result}}`):
 * a command's stdout or Claude's answer, cut to RESULT_MAX_BYTES around a marker, so one chatty
 * step cannot bloat the journal or the prompts built from it. It is cut once: a command's stdout
 * is already cut as it streams (OutputCapture keeps only its head and tail), so its kept text is
 * final and `bytes` counts what was left out; cutting that text again would count the marker.
 */
import type { OutputCapture } from "../engine/execution-handle.js";

/** A result (stdout of a command, answer of Claude) is kept and templated up to this size. */
export const RESULT_MAX_BYTES = 64 * 1024;

/** A result as kept: at most RESULT_MAX_BYTES of it (plus a marker), and its full size. */
export interface TaskResult {
  text: string;
  /** The whole result's size in UTF-8 bytes, including any part left out of `text`. */
  bytes: number;
}

/**
 * A command's result: its stdout, trimmed, its first and last RESULT_MAX_BYTES / 2 around a
 * marker when longer (the capture's limits).
 */
export function commandResult(capture: OutputCapture): TaskResult {
  const { head, tail, omittedBytes } = capture.result();
  if (omittedBytes === 0) {
    const text = `${head}${tail}`.trim();
    return { text, bytes: Buffer.byteLength(text) };
  }
  const first = head.trimStart();
  const last = tail.trimEnd();
  return {
    text: `${first}\n[… ${omittedBytes} bytes of output left out …]\n${last}`,
    bytes: Buffer.byteLength(first) + omittedBytes + Buffer.byteLength(last),
  };
}

/** Claude's answer: its first and last RESULT_MAX_BYTES / 2 around a marker when longer. */
export function answerResult(answer: string): TaskResult {
  const bytes = Buffer.from(answer);
  if (bytes.length <= RESULT_MAX_BYTES) return { text: answer, bytes: bytes.length };
  const half = RESULT_MAX_BYTES / 2;
  // Cut on character boundaries: never inside a UTF-8 sequence.
  let headEnd = half;
  while (continuation(bytes[headEnd])) headEnd--;
  let tailStart = bytes.length - half;
  while (continuation(bytes[tailStart])) tailStart++;
  const omitted = tailStart - headEnd;
  const head = bytes.subarray(0, headEnd).toString("utf8");
  const tail = bytes.subarray(tailStart).toString("utf8");
  return { text: `${head}\n[… ${omitted} bytes left out …]\n${tail}`, bytes: bytes.length };
}

function continuation(byte: number | undefined): boolean {
  return byte !== undefined && (byte & 0xc0) === 0x80;
}
