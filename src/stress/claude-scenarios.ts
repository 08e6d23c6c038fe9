/**
 * Stress scenarios that drive Claude runs (DESIGN §9): simple prompt, a 5,000-word answer, JSON
 * streaming, sequential requests that build on each other, Write then Read across two runs.
 * Prompts are worded so a real model and the built-in mock model both answer them.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ClaudeResult } from "../client/claude.js";
import type { ClaudeEvent } from "../protocol/stream-json.js";
import { assistantText } from "../protocol/stream-json.js";
import { type Outcome, scenario } from "./scenario.js";

function bytesOf(result: ClaudeResult): number {
  const completion = result.execution.completion;
  return Number(completion.stdout_bytes ?? 0) + Number(completion.stderr_bytes ?? 0);
}

function expectSuccess(outcome: Outcome, result: ClaudeResult, what: string): boolean {
  return outcome.check(
    result.success,
    `${what}: ${result.status}${result.error ? ` — ${result.error}` : ""}`,
  );
}

export const simplePrompt = scenario("simple-prompt", "Simple Prompt (2+2)", async (ctx, o) => {
  const result = await ctx.client.claude("What is 2+2? Reply with just the number.", ctx.claude);
  o.bytes(bytesOf(result));
  o.metrics["Exit Code"] = result.exitCode ?? "none";
  o.metrics.Answer = JSON.stringify((result.result ?? "").slice(0, 40));
  if (expectSuccess(o, result, "2+2")) {
    o.check(/\b4\b/.test(result.result ?? ""), `answer has no 4: ${result.result}`);
  }
});

export const largeOutput = scenario(
  "large-output",
  "Large Output (5,000 words)",
  async (ctx, o) => {
    const stream = ctx.client.claudeStream(
      "Write exactly 5000 words: the words word1 word2 word3 and so on up to word5000, " +
        "separated by spaces, and nothing else.",
      ctx.claude,
    );
    let streamed = "";
    for await (const item of stream) {
      if (item.type === "claude" && item.event.kind === "assistant") {
        streamed = assistantText(item.event.event);
      }
    }
    const result = await stream.result;
    o.bytes(bytesOf(result));
    const words = (result.result ?? "").split(/\s+/).filter(Boolean);
    o.metrics["Word Count"] = words.length;
    if (!expectSuccess(o, result, "5,000-word answer")) return;
    o.check(streamed.trim() === (result.result ?? "").trim(), "streamed text differs from result");
    if (ctx.mock) {
      const exact = words.every((word, index) => word === `word${index + 1}`);
      o.check(words.length === 5000 && exact, `expected word1…word5000, got ${words.length} words`);
    } else {
      o.check(words.length >= 4000, `only ${words.length} words arrived`);
    }
  },
);

export const jsonStreaming = scenario("json-streaming", "JSON Streaming", async (ctx, o) => {
  const stream = ctx.client.claudeStream("List three primary colours, one per line.", ctx.claude);
  const events: ClaudeEvent[] = [];
  for await (const item of stream) if (item.type === "claude") events.push(item.event);
  const result = await stream.result;
  o.bytes(bytesOf(result));
  o.metrics["Output Lines"] = events.length;
  if (!expectSuccess(o, result, "JSON streaming")) return;
  const bad = events.filter((event) => event.kind === "text");
  o.check(bad.length === 0, `${bad.length} stdout lines were not JSON`);
  o.check(events[0]?.kind === "init", `first line is ${events[0]?.kind}, not system/init`);
  o.check(
    events.some((event) => event.kind === "assistant"),
    "no assistant line",
  );
  const results = events.filter((event) => event.kind === "result");
  o.check(results.length === 1 && events.at(-1)?.kind === "result", "result is not the last line");
  const sessions = new Set(
    events.map((event) => ("event" in event ? event.event.session_id : undefined)).filter(Boolean),
  );
  o.check(sessions.size === 1, `lines carry ${sessions.size} session ids`);
});

export const sequential = scenario("sequential", "Sequential Requests", async (ctx, o) => {
  const steps = 3;
  let previous = "1";
  let ok = 0;
  const first = await ctx.client.claude("Reply with the number 1 and nothing else.", ctx.claude);
  o.bytes(bytesOf(first));
  if (expectSuccess(o, first, "request 1")) {
    previous = (first.result ?? "").trim();
    ok++;
  }
  for (let step = 2; step <= steps && o.error === null; step++) {
    const result = await ctx.client.claude(
      `Add 1 to ${previous} and reply with just the resulting number.`,
      ctx.claude,
    );
    o.bytes(bytesOf(result));
    if (!expectSuccess(o, result, `request ${step}`)) break;
    previous = (result.result ?? "").trim();
    if (o.check(previous === String(step), `request ${step} answered ${previous}`)) ok++;
  }
  o.metrics.Requests = `${ok}/${steps} successful`;
});

export const claudeWithTools = scenario(
  "claude-tools",
  "Claude with Tools (Write then Read)",
  async (ctx, o) => {
    const file = join(ctx.workDir, "notes.txt");
    const token = `stress-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const tools = { ...ctx.claude, cwd: ctx.workDir, allowedTools: ["Write", "Read"] };
    const options = { ...tools, permissionMode: "acceptEdits" };
    const write = await ctx.client.claude(
      `Use the Write tool to create the file ${file} containing exactly: ${token}`,
      options,
    );
    o.bytes(bytesOf(write));
    if (!expectSuccess(o, write, "Write run")) return;
    const content = await readFile(file, "utf8").catch(() => null);
    o.check(content?.trim() === token, `file holds ${JSON.stringify(content)}`);
    const read = await ctx.client.claude(
      `Use the Read tool to read the file ${file} and reply with its exact content only.`,
      options,
    );
    o.bytes(bytesOf(read));
    o.metrics.Turns = `${write.numTurns ?? "?"} + ${read.numTurns ?? "?"}`;
    if (!expectSuccess(o, read, "Read run")) return;
    o.check((read.result ?? "").includes(token), `the Read run answered ${read.result}`);
  },
);
