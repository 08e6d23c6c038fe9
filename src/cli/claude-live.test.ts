import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import type { ClaudeResult } from "../client/claude.js";
import { parseClaudeLine } from "../protocol/stream-json.js";
import { livePrinter } from "./claude-live.js";

function stream(isTTY: boolean) {
  let text = "";
  return { isTTY, columns: 80, write: (chunk: string) => (text += chunk), text: () => text };
}

const delta = (text: string) =>
  JSON.stringify({
    type: "stream_event",
    event: { type: "content_block_delta", index: 0, delta: { type: "text_delta", text } },
  });

const LINES = [
  JSON.stringify({ type: "system", subtype: "init", session_id: "s-1", model: "m" }),
  JSON.stringify({ type: "stream_event", event: { type: "message_start", message: {} } }),
  delta("Let me "),
  delta("look."),
  JSON.stringify({
    type: "assistant",
    message: { content: [{ type: "text", text: "Let me look." }] },
  }),
  JSON.stringify({
    type: "assistant",
    message: { content: [{ type: "tool_use", name: "Read", input: { file_path: "/w/a.txt" } }] },
  }),
  JSON.stringify({
    type: "user",
    message: { content: [{ type: "tool_result", tool_use_id: "t", content: "hello" }] },
  }),
  delta("It says hello."),
  JSON.stringify({
    type: "assistant",
    message: { content: [{ type: "text", text: "It says hello." }] },
  }),
];

const RESULT = {
  success: true,
  status: "completed",
  result: "It says hello.",
  sessionId: "s-1",
  costUsd: 0.01,
  numTurns: 2,
  attempts: 1,
  durationMs: 1500,
  error: null,
} as unknown as ClaudeResult;

function play(stdout: ReturnType<typeof stream>, stderr: ReturnType<typeof stream>) {
  const printer = livePrinter(stdout, stderr, { redrawMs: 60_000 });
  for (const line of LINES) printer.event(parseClaudeLine(line));
  printer.result(RESULT);
  printer.close?.();
}

describe("livePrinter", () => {
  it("piped stdout gets only the result; tool calls and the spinner go to a terminal stderr", () => {
    const stdout = stream(false);
    const stderr = stream(true);
    play(stdout, stderr);
    expect(stdout.text()).toBe("It says hello.\n");
    const screen = stripVTControlCharacters(stderr.text());
    expect(screen).toContain("⏺ Read(/w/a.txt)");
    expect(screen).toContain("  ⎿ hello");
    expect(screen).toMatch(/running Read · \d+ s · ↓ \d+ tokens?/);
    expect(screen).toContain("✓ completed in 1.50 s · $0.0100 · 2 turns · session s-1");
  });

  it("on a terminal, text streams as it comes and is not repeated by the result", () => {
    const stdout = stream(true);
    const stderr = stream(true);
    play(stdout, stderr);
    const out = stripVTControlCharacters(stdout.text());
    expect(out).toBe("Let me look.\n⏺ Read(/w/a.txt)\n  ⎿ hello\nIt says hello.\n");
  });

  it("with neither a terminal, no spinner and no escape sequences at all", () => {
    const stdout = stream(false);
    const stderr = stream(false);
    play(stdout, stderr);
    expect(stdout.text()).toBe("It says hello.\n");
    expect(stderr.text()).not.toContain("\x1b");
    expect(stderr.text()).not.toContain("thinking ·");
  });
});
