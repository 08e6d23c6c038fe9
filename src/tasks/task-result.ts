/**
 * A task's result as its record keeps it and later tasks template it in (`{{tasks.N.result}}`):
 * a command's stdout or Claude's answer, cut to RESULT_MAX_BYTES around a marker, so one chatty
 * step cannot bloat the journal or the prompts built from it.
 */
import type { OutputCapture } from "../engine/execution-handle.js";

/** A result (stdout of a command, answer of Claude) is kept and templated up to this size. */
export const RESULT_MAX_BYTES = 64 * 1024;

/** stdout, trimmed, at most RESULT_MAX_BYTES: its head and tail around a marker. */
export function captured(capture: OutputCapture): string {
  const { head, tail, omittedBytes } = capture.result();
  const middle = omittedBytes > 0 ? `\n[… ${omittedBytes} bytes of output left out …]\n` : "";
  return `${head}${middle}${tail}`.trim();
}

/** Text cut to RESULT_MAX_BYTES: its first and last halves around a marker. */
export function bounded(text: string): string {
  const bytes = Buffer.from(text);
  if (bytes.length <= RESULT_MAX_BYTES) return text;
  const half = RESULT_MAX_BYTES / 2;
  const head = bytes
    .subarray(0, half)
    .toString("utf8")
    .replace(/\uFFFD$/, "");
  const tail = bytes
    .subarray(bytes.length - half)
    .toString("utf8")
    .replace(/^\uFFFD/, "");
  return `${head}\n[… ${bytes.length - 2 * half} bytes left out …]\n${tail}`;
}
