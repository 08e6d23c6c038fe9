/**
 * Reassembling an execution's output from the `process.output` notifications a client got, with
 * the facts the supervisor promises about them (DESIGN §4): seq 1..N without a hole, each `data`
 * at most 64 KiB, and per stream the exact bytes.
 */
import { createHash } from "node:crypto";
import type { Message } from "./rpc-socket.js";

export const MAX_DATA_BYTES = 64 * 1024;

export interface CollectedOutput {
  stdout: Buffer;
  stderr: Buffer;
  seqs: number[];
  /** Each notification's data, in seq order, with its stream. */
  chunks: Array<{ type: "stdout" | "stderr"; data: string }>;
  /** Largest `data` in UTF-8 bytes (the string as sent, base64 included). */
  largestDataBytes: number;
}

export function collectOutput(messages: Message[], executionId: string): CollectedOutput {
  const outputs = messages.filter(
    (m) => m.method === "process.output" && m.params?.execution_id === executionId,
  );
  const chunks = outputs.map((m) => ({
    type: m.params?.type as "stdout" | "stderr",
    data: String(m.params?.data),
    base64: m.params?.encoding === "base64",
  }));
  const parts = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  for (const chunk of chunks) {
    parts[chunk.type].push(Buffer.from(chunk.data, chunk.base64 ? "base64" : "utf8"));
  }
  return {
    stdout: Buffer.concat(parts.stdout),
    stderr: Buffer.concat(parts.stderr),
    seqs: outputs.map((m) => Number(m.params?.seq)),
    chunks: chunks.map(({ type, data }) => ({ type, data })),
    largestDataBytes: Math.max(0, ...chunks.map((c) => Buffer.byteLength(c.data, "utf8"))),
  };
}

export function sha256(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** 1..n, for comparing seq lists. */
export function oneTo(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}
