/**
 * How `cc-executor claude` shows a run: for people (assistant text on stdout, tool calls and
 * their results dimmed, notices and the final summary on stderr, colour on a TTY), or as JSON
 * lines for scripts.
 */

import type { ClaudeResult } from "../client/claude.js";
import type { ClaudeEvent } from "../protocol/stream-json.js";
import { assistantText, toolCalls } from "../protocol/stream-json.js";
import { paint, type Style } from "./terminal-style.js";

export interface ClaudePrinter {
  event(event: ClaudeEvent): void;
  notice(method: string, params: Record<string, unknown>): void;
  status(message: string): void;
  stderr(data: string): void;
  result(result: ClaudeResult): void;
}

interface Out {
  write(text: string): unknown;
  isTTY?: boolean;
}

function painter(stream: Out) {
  const on = stream.isTTY === true && !process.env.NO_COLOR;
  const wrap = (style: Style) => (text: string) => paint(on, style, text);
  return { dim: wrap("dim"), red: wrap("red"), green: wrap("green"), yellow: wrap("yellow") };
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

function firstLine(value: unknown): string {
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

export function humanPrinter(
  stdout: Out = process.stdout,
  stderr: Out = process.stderr,
): ClaudePrinter {
  const out = painter(stdout);
  const err = painter(stderr);
  let lastText = "";
  return {
    event(parsed) {
      if (parsed.kind === "init") {
        const { model, session_id } = parsed.event;
        stderr.write(err.dim(`● claude ${model ?? ""} · session ${session_id}\n`));
      } else if (parsed.kind === "assistant") {
        const text = assistantText(parsed.event);
        if (text) {
          lastText = text;
          stdout.write(text.endsWith("\n") ? text : `${text}\n`);
        }
        for (const call of toolCalls(parsed.event)) {
          stdout.write(out.dim(`⏺ ${describeTool(call.name, call.input)}\n`));
        }
      } else if (parsed.kind === "user" && Array.isArray(parsed.event.message.content)) {
        for (const block of parsed.event.message.content) {
          if (block.type !== "tool_result") continue;
          const line = firstLine(block.content);
          stdout.write(block.is_error ? out.red(`  ⎿ ${line}\n`) : out.dim(`  ⎿ ${line}\n`));
        }
      } else if (parsed.kind === "text") {
        stdout.write(`${parsed.line}\n`);
      }
    },
    notice(method, params) {
      const message = typeof params.message === "string" ? params.message : JSON.stringify(params);
      stderr.write(err.yellow(`cc-executor: ${method}: ${message}\n`));
    },
    status(message) {
      stderr.write(err.dim(`cc-executor: ${message}\n`));
    },
    stderr(data) {
      stderr.write(data);
    },
    result(result) {
      if (result.result && result.result.trim() !== lastText.trim()) {
        stdout.write(result.result.endsWith("\n") ? result.result : `${result.result}\n`);
      }
      const seconds = (result.durationMs / 1000).toFixed(2);
      const turns =
        result.numTurns === null
          ? ""
          : ` · ${result.numTurns} turn${result.numTurns === 1 ? "" : "s"}`;
      const attempts = result.attempts > 1 ? ` · ${result.attempts} attempts` : "";
      const facts = `${seconds} s · ${money(result.costUsd)}${turns}${attempts}`;
      if (result.success) {
        stderr.write(err.green(`✓ completed in ${facts} · session ${result.sessionId ?? "?"}\n`));
        return;
      }
      const why = result.error ?? result.status;
      const kind = result.failure ? ` (${result.failure})` : "";
      stderr.write(err.red(`✗ ${result.status}${kind} after ${facts}: ${why}\n`));
    },
  };
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
