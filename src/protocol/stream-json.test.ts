/** The stream-json parser against every real CLI transcript, and the line splitter. */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LineSplitter } from "./line-splitter.js";
import {
  assistantText,
  parseClaudeLine,
  resultText,
  streamDelta,
  streamOutputTokens,
  toolCalls,
} from "./stream-json.js";

const transcripts = new URL("../../test/fixtures/fake-claude/transcripts/", import.meta.url);

function linesOf(name: string): string[] {
  return readFileSync(new URL(name, transcripts), "utf8").split("\n").filter(Boolean);
}

describe("parseClaudeLine", () => {
  const files = readdirSync(transcripts).filter((name) => name.endsWith(".jsonl"));

  it.each(files)("types every line of the real transcript %s", (name) => {
    for (const line of linesOf(name)) {
      const parsed = parseClaudeLine(line);
      const raw = JSON.parse(line) as { type: string; subtype?: string };
      const expected =
        raw.type === "system"
          ? raw.subtype === "init"
            ? "init"
            : raw.subtype === "api_retry"
              ? "api_retry"
              : "system"
          : raw.type === "rate_limit_event"
            ? "rate_limit"
            : raw.type;
      expect(parsed.kind, line.slice(0, 120)).toBe(expected);
    }
  });

  it("keeps fields it does not know (lenient to new CLI versions)", () => {
    const parsed = parseClaudeLine(
      JSON.stringify({ type: "system", subtype: "init", session_id: "s", brand_new: { x: 1 } }),
    );
    expect(parsed.kind).toBe("init");
    if (parsed.kind === "init") expect(parsed.event.brand_new).toEqual({ x: 1 });
  });

  it("keeps unknown event types and wrong shapes as other, and non-JSON as text", () => {
    expect(parseClaudeLine('{"type":"future_event","a":1}')).toEqual({
      kind: "other",
      event: { type: "future_event", a: 1 },
    });
    expect(parseClaudeLine('{"type":"result","subtype":3}').kind).toBe("other");
    expect(parseClaudeLine("plain text")).toEqual({ kind: "text", line: "plain text" });
    expect(parseClaudeLine("{broken")).toEqual({ kind: "text", line: "{broken" });
    expect(parseClaudeLine("[1,2]").kind).toBe("text");
  });

  it("reads assistant text, tool calls and result text", () => {
    const events = linesOf("write-tool.jsonl").map(parseClaudeLine);
    const calls = events.flatMap((e) => (e.kind === "assistant" ? toolCalls(e.event) : []));
    expect(calls.map((call) => call.name)).toEqual(["Write"]);
    const texts = events.map((e) => (e.kind === "assistant" ? assistantText(e.event) : ""));
    expect(texts.filter(Boolean).at(-1)).toBe("Wrote hello.txt");
    const maxTurns = linesOf("max-turns.jsonl").map(parseClaudeLine).at(-1);
    expect(maxTurns?.kind).toBe("result");
    if (maxTurns?.kind === "result") {
      expect(resultText(maxTurns.event)).toBe("Reached maximum number of turns (2)");
    }
  });
});

describe("stream events (--include-partial-messages)", () => {
  it("reads the text deltas and token counts of a real transcript", () => {
    let text = "";
    let tokens: number | null = null;
    for (const line of linesOf("partial-messages.jsonl")) {
      const parsed = parseClaudeLine(line);
      if (parsed.kind !== "stream_event") continue;
      const delta = streamDelta(parsed.event);
      if (delta?.type === "text") text += delta.text;
      tokens = streamOutputTokens(parsed.event) ?? tokens;
    }
    const result = linesOf("partial-messages.jsonl")
      .map(parseClaudeLine)
      .find((parsed) => parsed.kind === "result");
    expect(result?.kind === "result" && resultText(result.event)).toBe(text);
    expect(tokens).toBeGreaterThan(0);
  });
});

describe("LineSplitter", () => {
  it("joins lines split across pieces and holds the unfinished one", () => {
    const splitter = new LineSplitter();
    expect(splitter.push('{"a":')).toEqual([]);
    expect(splitter.push('1}\n{"b"')).toEqual(['{"a":1}']);
    expect(splitter.push(":2}\n\nlast")).toEqual(['{"b":2}']);
    expect(splitter.end()).toEqual(["last"]);
    expect(splitter.end()).toEqual([]);
  });

  it("drops a line longer than its limit, and only that line", () => {
    const splitter = new LineSplitter(10);
    expect(splitter.push("x".repeat(8))).toEqual([]);
    expect(splitter.push("x".repeat(8))).toEqual([]);
    expect(splitter.push("xx\nshort\n")).toEqual(["short"]);
  });

  it("handles a 45 KB line in 64-byte pieces", () => {
    const line = JSON.stringify({ type: "assistant", text: "w ".repeat(22_500) });
    const splitter = new LineSplitter();
    const out: string[] = [];
    const text = `${line}\n`;
    for (let i = 0; i < text.length; i += 64) out.push(...splitter.push(text.slice(i, i + 64)));
    expect(out).toEqual([line]);
  });
});
