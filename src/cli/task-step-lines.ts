/**
 * What a person sees of a task step's output: the lines of a shell command; for a Claude task,
 * the assistant's text and its tool calls (`⏺ Write(notes.md)`) instead of raw stream-json.
 */
import { LineSplitter } from "../protocol/line-splitter.js";
import { assistantText, parseClaudeLine, toolCalls } from "../protocol/stream-json.js";
import { describeTool } from "./claude-output.js";

export class StepLines {
  private readonly splitters = new Map<string, LineSplitter>();

  /** Display lines finished by this piece of output of `executionId`. */
  push(executionId: string, kind: "prompt" | "command", stream: string, data: string): string[] {
    const key = `${executionId}:${stream}`;
    let splitter = this.splitters.get(key);
    if (!splitter) {
      splitter = new LineSplitter(1024 * 1024);
      this.splitters.set(key, splitter);
    }
    const lines = splitter.push(data);
    return kind === "command" || stream === "stderr" ? lines : lines.flatMap(claudeLines);
  }

  /** A step ended: whatever it left without a final newline. */
  end(executionId: string, kind: "prompt" | "command"): string[] {
    const lines: string[] = [];
    for (const stream of ["stdout", "stderr"]) {
      const key = `${executionId}:${stream}`;
      const rest = this.splitters.get(key)?.end() ?? [];
      this.splitters.delete(key);
      lines.push(...(kind === "command" || stream === "stderr" ? rest : rest.flatMap(claudeLines)));
    }
    return lines;
  }
}

function claudeLines(line: string): string[] {
  const parsed = parseClaudeLine(line);
  if (parsed.kind === "text") return [parsed.line];
  if (parsed.kind !== "assistant") return [];
  const text = assistantText(parsed.event)
    .split("\n")
    .filter((part) => part.trim() !== "");
  const tools = toolCalls(parsed.event).map((call) => `⏺ ${describeTool(call.name, call.input)}`);
  return [...text, ...tools];
}
