/**
 * A Claude run's stdout (stream-json lines, docs/claude-cli.md) as a readable transcript:
 * assistant text, tool calls, tool results and the final result with its cost. Lenient like the
 * server's parser: a line that is not JSON or of an unknown kind is skipped.
 */

export type TranscriptItem =
  | { kind: "init"; model: string; sessionId: string }
  | { kind: "text"; text: string }
  | { kind: "tool"; name: string; input: string }
  | { kind: "tool-result"; text: string; isError: boolean }
  | {
      kind: "result";
      text: string;
      isError: boolean;
      costUsd: number | null;
      turns: number | null;
      durationMs: number | null;
    };

type Json = Record<string, unknown>;

/** Tool results can be long (a file read back): the transcript shows the start. */
const MAX_RESULT_CHARS = 2000;

export class TranscriptParser {
  private partial = "";

  /** Feeds stdout; returns the items of the lines it completed. */
  push(chunk: string): TranscriptItem[] {
    const lines = (this.partial + chunk).split("\n");
    this.partial = lines.pop() ?? "";
    return lines.flatMap(parseLine);
  }
}

function parseLine(line: string): TranscriptItem[] {
  let event: Json;
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value !== "object" || value === null) return [];
    event = value as Json;
  } catch {
    return [];
  }
  switch (event.type) {
    case "system":
      return event.subtype === "init"
        ? [{ kind: "init", model: String(event.model ?? "?"), sessionId: String(event.session_id) }]
        : [];
    case "assistant":
      return contentOf(event).flatMap((block): TranscriptItem[] => {
        if (block.type === "text" && typeof block.text === "string" && block.text.trim())
          return [{ kind: "text", text: block.text }];
        if (block.type === "tool_use")
          return [{ kind: "tool", name: String(block.name), input: JSON.stringify(block.input) }];
        return [];
      });
    case "user":
      return contentOf(event)
        .filter((block) => block.type === "tool_result")
        .map((block) => ({
          kind: "tool-result",
          text: clip(resultContent(block.content)),
          isError: block.is_error === true,
        }));
    case "result":
      return [
        {
          kind: "result",
          text: typeof event.result === "string" ? event.result : String(event.subtype ?? ""),
          isError: event.is_error === true,
          costUsd: typeof event.total_cost_usd === "number" ? event.total_cost_usd : null,
          turns: typeof event.num_turns === "number" ? event.num_turns : null,
          durationMs: typeof event.duration_ms === "number" ? event.duration_ms : null,
        },
      ];
    default:
      return [];
  }
}

function contentOf(event: Json): Json[] {
  const message = event.message as Json | undefined;
  const content = message?.content;
  return Array.isArray(content)
    ? (content.filter((c) => c && typeof c === "object") as Json[])
    : [];
}

function resultContent(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content))
    return content
      .map((part) => (part && typeof part === "object" ? String((part as Json).text ?? "") : ""))
      .join("\n");
  return JSON.stringify(content ?? "");
}

function clip(text: string): string {
  return text.length > MAX_RESULT_CHARS ? `${text.slice(0, MAX_RESULT_CHARS)}…` : text;
}
