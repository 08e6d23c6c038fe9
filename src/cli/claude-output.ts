/**
 * Pieces of how `cc-executor claude` shows a run: the printer interface, one-line tool calls,
 * the summary line, a recorded run as a transcript, and JSON lines for scripts (`--json`). The
 * live view for people is claude-live.ts.
 */

import type { ClaudeResult } from "../client/claude.js";
import type { ClaudeEvent } from "../protocol/stream-json.js";
import { assistantText, toolCalls } from "../protocol/stream-json.js";

export interface ClaudePrinter {
  event(event: ClaudeEvent): void;
  notice(method: string, params: Record<string, unknown>): void;
  status(message: string): void;
  stderr(data: string): void;
  result(result: ClaudeResult): void;
  /** Stops anything still drawing (the spinner). */
  close?(): void;
}

export interface Out {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** A tool call in one line: `Write(/tmp/notes.txt)`, `Bash(ls -la)`. */
export function describeTool(name: string, input: unknown): string {
  const fields = (input ?? {}) as Record<string, unknown>;
  const main =
    fields.file_path ?? fields.command ?? fields.pattern ?? fields.path ?? fields.url ?? null;
  const detail = typeof main === "string" ? main : JSON.stringify(input ?? {});
  const short = detail.length > 100 ? `${detail.slice(0, 97)}…` : detail;
  return `${name}(${short.replace(/\s+/g, " ")})`;
}

export function firstLine(value: unknown): string {
  const text =
    typeof value === "string"
      ? value
      : Array.isArray(value)
        ? value.map((block) => (block as { text?: string }).text ?? "").join(" ")
        : JSON.stringify(value ?? "");
  const line = text.trim().split("\n")[0] ?? "";
  return line.length > 100 ? `${line.slice(0, 97)}…` : line;
}

function money(usd: number | null): string {
  return usd === null ? "cost unknown" : `$${usd.toFixed(4)}`;
}

/** The summary line of a finished run, and whether it succeeded (green) or not (red). */
export function summaryLine(result: ClaudeResult): { ok: boolean; line: string } {
  const seconds = (result.durationMs / 1000).toFixed(2);
  const turns =
    result.numTurns === null ? "" : ` · ${result.numTurns} turn${result.numTurns === 1 ? "" : "s"}`;
  const attempts = result.attempts > 1 ? ` · ${result.attempts} attempts` : "";
  const facts = `${seconds} s · ${money(result.costUsd)}${turns}${attempts}`;
  if (result.success)
    return { ok: true, line: `✓ completed in ${facts} · session ${result.sessionId ?? "?"}` };
  const why = result.error ?? result.status;
  const kind = result.failure ? ` (${result.failure})` : "";
  return { ok: false, line: `✗ ${result.status}${kind} after ${facts}: ${why}` };
}

/**
 * A recorded run's lines as one readable text (`history show`): the model and session, whole
 * assistant messages (streamed pieces are skipped: the whole message follows them), tool calls
 * and their results.
 */
export function transcriptLine(parsed: ClaudeEvent): string {
  if (parsed.kind === "init") {
    const { model, session_id } = parsed.event;
    return `● claude ${model ?? ""} · session ${session_id}\n`;
  }
  if (parsed.kind === "assistant") {
    const text = assistantText(parsed.event);
    let lines = text ? (text.endsWith("\n") ? text : `${text}\n`) : "";
    for (const call of toolCalls(parsed.event)) {
      lines += `⏺ ${describeTool(call.name, call.input)}\n`;
    }
    return lines;
  }
  if (parsed.kind === "user" && Array.isArray(parsed.event.message.content)) {
    let lines = "";
    for (const block of parsed.event.message.content) {
      if (block.type === "tool_result") lines += `  ⎿ ${firstLine(block.content)}\n`;
    }
    return lines;
  }
  return parsed.kind === "text" ? `${parsed.line}\n` : "";
}

export function jsonPrinter(
  stdout: Out = process.stdout,
  stderr: Out = process.stderr,
): ClaudePrinter {
  const line = (value: unknown) => stdout.write(`${JSON.stringify(value)}\n`);
  return {
    event(parsed) {
      line(parsed.kind === "text" ? { type: "text", line: parsed.line } : parsed.event);
    },
    notice(method, params) {
      line({ type: "cc_executor.notice", method, params });
    },
    status(message) {
      line({ type: "cc_executor.status", message });
    },
    stderr(data) {
      stderr.write(data);
    },
    result(result) {
      const { execution: _execution, ...rest } = result;
      line({ type: "cc_executor.result", ...rest });
    },
  };
}
