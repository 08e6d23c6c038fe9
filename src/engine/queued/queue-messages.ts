/**
 * What a worker writes to the output stream about an execution, one stream entry each, in the
 * order it happened: taken (a worker picked the job), output (a numbered chunk, raw bytes), an
 * event (started, paused, a Claude notice…), and the one end with its result. Flat fields so
 * output bytes travel as they are, without JSON or base64.
 */
import type { ExecutionEvent } from "../../supervisor/execution/execution-event.js";
import type { ExecutionResult } from "../../supervisor/execution/execution-result.js";
import type { OutputChunk } from "../../supervisor/output/output-chunk.js";

export type WorkerMessage =
  | { type: "taken"; id: string; workerId: string }
  | { type: "output"; id: string; chunk: OutputChunk }
  | { type: "event"; id: string; event: ExecutionEvent }
  | { type: "ended"; id: string; result: ExecutionResult };

/** The fields of a stream entry (XADD key * …fields). */
export function messageFields(message: WorkerMessage): Array<string | Buffer> {
  switch (message.type) {
    case "taken":
      return ["t", "a", "e", message.id, "w", message.workerId];
    case "output": {
      const { chunk } = message;
      return [
        "t",
        "o",
        "e",
        message.id,
        "s",
        String(chunk.seq),
        "k",
        chunk.stream === "stdout" ? "1" : "2",
        "i",
        `${chunk.chunkIndex}/${chunk.totalChunks}`,
        // A copy: the chunk's bytes are a view the supervisor reuses after the call.
        "r",
        Buffer.from(chunk.raw),
      ];
    }
    case "event":
      return ["t", "v", "e", message.id, "j", JSON.stringify(message.event)];
    case "ended": {
      const { cause: _cause, ...result } = message.result;
      return ["t", "x", "e", message.id, "j", JSON.stringify(result)];
    }
  }
}

/** A stream entry read back (XREAD with buffers); null when it is not one of ours. */
export function parseMessage(fields: Buffer[]): WorkerMessage | null {
  const map = new Map<string, Buffer>();
  for (let i = 0; i + 1 < fields.length; i += 2) {
    map.set((fields[i] as Buffer).toString(), fields[i + 1] as Buffer);
  }
  const type = map.get("t")?.toString();
  const id = map.get("e")?.toString();
  if (!id) return null;
  switch (type) {
    case "a":
      return { type: "taken", id, workerId: map.get("w")?.toString() ?? "?" };
    case "o": {
      const [index, total] = (map.get("i")?.toString() ?? "0/1").split("/").map(Number);
      return {
        type: "output",
        id,
        chunk: {
          seq: Number(map.get("s")?.toString()),
          stream: map.get("k")?.toString() === "2" ? "stderr" : "stdout",
          raw: map.get("r") ?? Buffer.alloc(0),
          chunkIndex: index ?? 0,
          totalChunks: total ?? 1,
        },
      };
    }
    case "v":
      return { type: "event", id, event: JSON.parse(String(map.get("j"))) as ExecutionEvent };
    case "x":
      return { type: "ended", id, result: resultFromJson(String(map.get("j"))) };
    default:
      return null;
  }
}

function resultFromJson(text: string): ExecutionResult {
  const raw = JSON.parse(text) as ExecutionResult & { startedAt: string | null; endedAt: string };
  return {
    ...raw,
    startedAt: raw.startedAt ? new Date(raw.startedAt) : null,
    endedAt: new Date(raw.endedAt),
  };
}
