/**
 * How `cc-executor claude` shows a run to a person (DESIGN §8, docs/cli.md "claude").
 *
 * - **stdout is a terminal**: the answer streams as it is written (the CLI's partial-message
 *   `text_delta`s), tool calls and their results dimmed between; while the model thinks or a
 *   tool runs, a spinner shows the elapsed time and the output tokens so far.
 * - **stdout is not a terminal** (`claude … > out.txt`, `| jq`): like `claude -p`, stdout gets
 *   only the final result; tool calls, their results, notices and progress go to stderr (with
 *   the spinner when stderr is a terminal).
 *
 * Either way the summary (completed/failed, duration, cost) ends on stderr.
 */

import type { ClaudeResult } from "../client/claude.js";
import {
  type AssistantEvent,
  assistantText,
  type ClaudeEvent,
  type StreamEventLine,
  streamDelta,
  streamOutputTokens,
  toolCalls,
} from "../protocol/stream-json.js";
import {
  type ClaudePrinter,
  describeTool,
  firstLine,
  type Out,
  summaryLine,
} from "./claude-output.js";
import { ClaudeSpinner } from "./claude-spinner.js";
import { paint, type Style } from "./terminal-style.js";

export interface LivePrinterOptions {
  /** Milliseconds between spinner frames (tests make it small). */
  redrawMs?: number;
  now?: () => number;
}

export function livePrinter(
  stdout: Out = process.stdout,
  stderr: Out = process.stderr,
  options: LivePrinterOptions = {},
): ClaudePrinter {
  const terminal = stdout.isTTY === true;
  const colour = (stream: Out) => stream.isTTY === true && !process.env.NO_COLOR;
  const style = (stream: Out, name: Style, text: string) => paint(colour(stream), name, text);
  // Tool calls and their results: part of the view on a terminal, progress when piped.
  const side = terminal ? stdout : stderr;
  // The spinner goes where a person looks: stderr on a terminal, else stdout on one.
  const spinnerOut = stderr.isTTY === true ? stderr : terminal ? stdout : null;
  const spinner = spinnerOut
    ? new ClaudeSpinner(spinnerOut, {
        colour: colour(spinnerOut),
        redrawMs: options.redrawMs,
        now: options.now,
      })
    : null;
  /** stdout's cursor is at the start of a line (a spinner on the same terminal needs that). */
  let atLineStart = true;
  /** Text streamed since the last whole `assistant` line (which then need not be printed). */
  let streamed = "";
  /** The last assistant text shown: the result repeats it, and is then not printed again. */
  let lastText = "";

  const write = (stream: Out, text: string) => {
    if (text === "") return;
    spinner?.hide();
    stream.write(text);
    if (stream === stdout) atLineStart = text.endsWith("\n");
    spinner?.show();
  };
  const endLine = () => {
    if (terminal && !atLineStart) write(stdout, "\n");
  };
  const sideLine = (name: Style, text: string) => {
    endLine();
    write(side, `${style(side, name, text)}\n`);
  };
  const streamEvent = (event: StreamEventLine) => {
    const tokens = streamOutputTokens(event);
    if (tokens !== null) spinner?.reportTokens(tokens);
    const inner = event.event;
    if (inner.type === "message_start") spinner?.startMessage();
    else if (inner.type === "message_stop") spinner?.endMessage();
    else if (inner.type === "content_block_start") {
      const block = inner.content_block as { type?: string; name?: string } | undefined;
      if (block?.type === "tool_use") spinner?.setLabel(`preparing ${block.name ?? "a tool"}`);
    }
    const delta = streamDelta(event);
    if (!delta) return;
    spinner?.addOutput(delta.text);
    if (delta.type !== "text") return;
    streamed += delta.text;
    spinner?.setLabel("writing");
    // On a terminal the text itself shows progress; the spinner waits until its line ends.
    if (terminal) {
      spinner?.pause();
      write(stdout, delta.text);
    }
  };

  const assistant = (event: AssistantEvent) => {
    const text = assistantText(event);
    if (text) {
      lastText = text;
      if (terminal && streamed === "") write(stdout, text.endsWith("\n") ? text : `${text}\n`);
    }
    streamed = "";
    endLine();
    const calls = toolCalls(event);
    for (const call of calls) sideLine("dim", `⏺ ${describeTool(call.name, call.input)}`);
    spinner?.setLabel(
      calls.length > 0 ? `running ${calls.map((c) => c.name).join(", ")}` : "thinking",
    );
    spinner?.resume();
  };

  return {
    event(parsed: ClaudeEvent) {
      switch (parsed.kind) {
        case "init":
          write(
            stderr,
            style(
              stderr,
              "dim",
              `● claude ${parsed.event.model ?? ""} · session ${parsed.event.session_id}\n`,
            ),
          );
          spinner?.start("thinking");
          return;
        case "stream_event":
          return streamEvent(parsed.event);
        case "assistant":
          return assistant(parsed.event);
        case "user": {
          const content = parsed.event.message.content;
          if (!Array.isArray(content)) return;
          for (const block of content) {
            if (block.type !== "tool_result") continue;
            sideLine(block.is_error ? "red" : "dim", `  ⎿ ${firstLine(block.content)}`);
          }
          spinner?.setLabel("thinking");
          return;
        }
        case "text":
          endLine();
          write(terminal ? stdout : stderr, `${parsed.line}\n`);
          return;
        default:
          return;
      }
    },
    notice(method, params) {
      const message = typeof params.message === "string" ? params.message : JSON.stringify(params);
      endLine();
      write(stderr, style(stderr, "yellow", `cc-executor: ${method}: ${message}\n`));
    },
    status(message) {
      // A running spinner already says the run is alive and for how long.
      if (spinner?.running) return;
      write(stderr, style(stderr, "dim", `cc-executor: ${message}\n`));
    },
    stderr(data) {
      endLine();
      write(stderr, data);
    },
    result(result: ClaudeResult) {
      spinner?.stop();
      endLine();
      const text = result.result ?? "";
      // On a terminal the answer was shown as it came; the result repeats it.
      if (text && !(terminal && text.trim() === lastText.trim())) {
        stdout.write(text.endsWith("\n") ? text : `${text}\n`);
      }
      const { ok, line } = summaryLine(result);
      stderr.write(`${style(stderr, ok ? "green" : "red", line)}\n`);
    },
    close() {
      spinner?.stop();
    },
  };
}
