/**
 * The mock Anthropic Messages API, on its own (over HTTP) and driving the real `claude` CLI
 * (node_modules/.bin/claude, stdin closed, isolated HOME, no network but the mock).
 */
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type ClaudeSandbox,
  createClaudeSandbox,
  resultOf,
  runClaude,
  streamJsonArgs,
} from "./fixtures/mock-anthropic/claude-runner.js";
import {
  authenticationError,
  lastUserText,
  type MockAnthropic,
  maxTokensReply,
  numberedWords,
  rateLimitError,
  readFileReply,
  startMockAnthropic,
  textReply,
  toolResults,
  writeFileReply,
} from "./fixtures/mock-anthropic/index.js";

let mock: MockAnthropic;

beforeEach(async () => {
  mock = await startMockAnthropic();
});

afterEach(async () => {
  await mock.close();
});

function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${mock.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

function userTurn(text: string, stream = true) {
  return {
    model: "claude-test",
    max_tokens: 100,
    stream,
    messages: [{ role: "user", content: [{ type: "text", text }] }],
  };
}

function sseEvents(text: string): Array<{ event: string; data: Record<string, unknown> }> {
  return text
    .split("\n\n")
    .filter((frame) => frame.trim() !== "")
    .map((frame) => {
      const event = /^event: (.*)$/m.exec(frame)?.[1] ?? "";
      const data = JSON.parse(/^data: (.*)$/m.exec(frame)?.[1] ?? "null");
      return { event, data };
    });
}

describe("mock Anthropic API (HTTP)", () => {
  it("streams a text reply as SSE in many deltas", async () => {
    mock.enqueue(textReply("hello streaming world", { chunkChars: 5 }));
    const response = await post("/v1/messages?beta=true", userTurn("hi"));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const events = sseEvents(await response.text());
    const names = events.map((e) => e.event);
    expect(names[0]).toBe("message_start");
    expect(names.slice(-2)).toEqual(["message_delta", "message_stop"]);
    const deltas = events.filter((e) => e.event === "content_block_delta");
    expect(deltas.length).toBe(5);
    const text = deltas.map((e) => (e.data.delta as { text: string }).text).join("");
    expect(text).toBe("hello streaming world");
    const messageDelta = events.find((e) => e.event === "message_delta")?.data;
    expect(messageDelta?.delta).toEqual({ stop_reason: "end_turn", stop_sequence: null });
  });

  it("holds a stream after some deltas until told to go on", async () => {
    let release = () => {};
    const until = new Promise<void>((resolve) => (release = resolve));
    mock.enqueue(textReply("one two three", { chunkChars: 4, hold: { afterDeltas: 2, until } }));
    const response = await post("/v1/messages", userTurn("hi"));
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let seen = "";
    while (!seen.includes('"text":"two "')) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended early: ${seen}`);
      seen += decoder.decode(value, { stream: true });
    }
    // Held: the third piece has not been sent.
    expect(seen).not.toContain("thre");
    release();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += decoder.decode(value, { stream: true });
    }
    const text = sseEvents(seen)
      .filter((e) => e.event === "content_block_delta")
      .map((e) => (e.data.delta as { text: string }).text)
      .join("");
    expect(text).toBe("one two three");
  });

  it("answers non-streaming requests with a JSON message", async () => {
    mock.enqueue(maxTokensReply("cut"));
    const response = await post("/v1/messages", userTurn("hi", false));
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.type).toBe("message");
    expect(body.stop_reason).toBe("max_tokens");
    expect(body.content).toEqual([{ type: "text", text: "cut" }]);
  });

  it("sends Anthropic error bodies and headers", async () => {
    mock.enqueue(rateLimitError({ retryAfterSeconds: 7 }));
    const response = await post("/v1/messages", userTurn("hi"));
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("7");
    const body = (await response.json()) as { type: string; error: { type: string } };
    expect(body.type).toBe("error");
    expect(body.error.type).toBe("rate_limit_error");
  });

  it("prefers matching rules, then the queue, then the default", async () => {
    mock.setDefault(textReply("default"));
    mock.enqueue(textReply("queued"));
    mock.when("special", (request) => textReply(`rule saw: ${lastUserText(request)}`), {
      times: 1,
    });
    const answer = async (text: string) => {
      const body = (await (await post("/v1/messages", userTurn(text, false))).json()) as {
        content: Array<{ text: string }>;
      };
      return body.content[0]?.text;
    };
    expect(await answer("a special one")).toBe("rule saw: a special one");
    expect(await answer("special again")).toBe("queued");
    expect(await answer("anything")).toBe("default");
    expect(mock.messageRequests.map((request) => lastUserText(request))).toEqual([
      "a special one",
      "special again",
      "anything",
    ]);
  });

  it("answers count_tokens and probes, 404s the rest, and records everything", async () => {
    const counted = await post("/v1/messages/count_tokens", userTurn("count me"));
    expect(((await counted.json()) as { input_tokens: number }).input_tokens).toBeGreaterThan(0);
    expect((await fetch(`${mock.url}/api/hello`, { method: "HEAD" })).status).toBe(200);
    expect((await fetch(`${mock.url}/nope`)).status).toBe(404);
    expect(mock.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /v1/messages/count_tokens",
      "HEAD /api/hello",
      "GET /nope",
    ]);
  });

  it("aborts a pending delay when it closes", async () => {
    mock.enqueue(textReply("never", { delayMs: Number.POSITIVE_INFINITY }));
    const pending = post("/v1/messages", userTurn("think forever")).then(
      () => "answered",
      () => "dropped",
    );
    await mock.waitForRequest((request) => request.path === "/v1/messages");
    const started = Date.now();
    await mock.close();
    expect(await pending).toBe("dropped");
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe("real claude CLI against the mock", () => {
  let sandbox: ClaudeSandbox;

  beforeEach(async () => {
    sandbox = await createClaudeSandbox();
  });

  afterEach(async () => {
    await sandbox.cleanup();
  });

  function claude(prompt: string, options: string[] = [], env: Record<string, string> = {}) {
    return runClaude({
      args: streamJsonArgs(prompt, options),
      cwd: sandbox.cwd,
      env: sandbox.env(mock.url, env),
    });
  }

  it("answers 'What is 2+2?' with init, assistant and one result event", async () => {
    mock.setDefault(textReply("4"));
    const run = await runClaude({
      args: ["-p", "What is 2+2?", "--output-format", "stream-json", "--verbose"],
      cwd: sandbox.cwd,
      env: sandbox.env(mock.url),
    });
    expect(run.exitCode).toBe(0);
    expect(run.otherLines).toEqual([]);
    const types = run.events.map((e) => (e.subtype ? `${e.type}/${e.subtype}` : e.type));
    expect(types).toEqual(["system/init", "assistant", "result/success"]);
    const init = run.events[0];
    const result = resultOf(run);
    expect(result).toMatchObject({
      subtype: "success",
      is_error: false,
      result: "4",
      num_turns: 1,
      session_id: init?.session_id,
    });
    expect(typeof result.total_cost_usd).toBe("number");
    expect(mock.messageRequests).toHaveLength(1);
    const request = mock.messageRequests[0];
    expect(request && lastUserText(request)).toBe("What is 2+2?");
    expect(request?.headers["x-api-key"]).toBe("test-key");
  });

  it("receives a 5,000-word answer complete", async () => {
    const words = numberedWords(5_000);
    mock.setDefault(textReply(words, { chunkChars: 64 }));
    const run = await claude("Write 5000 words.");
    const result = resultOf(run);
    expect(result.is_error).toBe(false);
    const received = String(result.result).split(/\s+/);
    expect(received).toHaveLength(5_000);
    expect(received[0]).toBe("word1");
    expect(received.at(-1)).toBe("word5000");
    expect(result.result).toBe(words);
  });

  it("retries a 429 (api_retry honouring retry-after) and then succeeds", async () => {
    mock.enqueue(rateLimitError({ retryAfterSeconds: 1 }));
    mock.setDefault(textReply("after the limit"));
    const run = await claude("Hello");
    const retries = run.events.filter((e) => e.type === "system" && e.subtype === "api_retry");
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ attempt: 1, error_status: 429, error: "rate_limit" });
    expect(Number(retries[0]?.retry_delay_ms)).toBeGreaterThanOrEqual(1_000);
    expect(resultOf(run)).toMatchObject({ subtype: "success", is_error: false });
    expect(resultOf(run).result).toBe("after the limit");
    expect(run.exitCode).toBe(0);
    const [first, second] = mock.messageRequests;
    expect(mock.messageRequests).toHaveLength(2);
    expect((second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it("reports the output-token limit when every turn stops at max_tokens", async () => {
    mock.setDefault(maxTokensReply("The answer is"));
    const run = await claude("Explain everything.", [], { CLAUDE_CODE_MAX_OUTPUT_TOKENS: "4096" });
    const result = resultOf(run);
    expect(result.is_error).toBe(true);
    expect(String(result.result)).toMatch(/exceeded the 4096 output token maximum/);
    expect(run.exitCode).toBe(1);
    // The CLI itself asks the model to continue, 3 times, before giving up.
    expect(mock.messageRequests).toHaveLength(4);
    expect(mock.messageRequests.every((request) => request.body?.max_tokens === 4096)).toBe(true);
    const continuation = mock.messageRequests[1];
    expect(continuation && lastUserText(continuation)).toMatch(/^Output token limit hit/);
  });

  it("fails clearly on a bad API key (401)", async () => {
    mock.setDefault(authenticationError());
    const run = await claude("Hello", [], { CLAUDE_CODE_MAX_RETRIES: "0" });
    const result = resultOf(run);
    expect(result).toMatchObject({ is_error: true, api_error_status: 401 });
    expect(String(result.result)).toContain("Invalid API key");
    expect(run.exitCode).toBe(1);
    expect(mock.messageRequests).toHaveLength(1);
  });

  it("writes a file in one run and reads it back in the next (same cwd)", async () => {
    const file = join(sandbox.cwd, "notes.txt");
    const content = `written by the mock model ${Date.now()}\n`;
    const tools = ["--allowedTools", "Write", "Read", "--permission-mode", "acceptEdits"];

    mock.enqueue(writeFileReply(file, content));
    mock.enqueue((request) => textReply(`wrote: ${toolResults(request)[0]?.text ?? "nothing"}`));
    const writeRun = await claude("Create notes.txt", tools);
    expect(resultOf(writeRun)).toMatchObject({ subtype: "success", is_error: false, num_turns: 2 });
    expect(await readFile(file, "utf8")).toBe(content);

    mock.enqueue(readFileReply(file));
    mock.enqueue((request) => {
      const [toolResult] = toolResults(request);
      return textReply(toolResult?.isError ? "read failed" : `read: ${toolResult?.text}`);
    });
    const readRun = await claude("Read notes.txt", tools);
    const result = resultOf(readRun);
    expect(result.is_error).toBe(false);
    expect(String(result.result)).toContain(content.trim());
    expect(mock.pendingReplies).toBe(0);
  });
});

describe("fake claude (test/fixtures/fake-claude)", () => {
  const fixtures = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "fake-claude");

  async function realEvents(name: string) {
    const text = await readFile(join(fixtures, "transcripts", `${name}.jsonl`), "utf8");
    return text
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  it("prints init, assistant and result lines shaped like the real CLI's", async () => {
    const run = await runClaude({
      bin: join(fixtures, "claude"),
      args: streamJsonArgs("What is 2+2?", ["--allowedTools", "Write", "Read", "--model", "m1"]),
      cwd: fixtures,
      env: { PATH: process.env.PATH ?? "", FAKE_CLAUDE_RESULT: "4" },
    });
    expect(run.exitCode).toBe(0);
    const real = await realEvents("success");
    expect(run.events.map((e) => e.type)).toEqual(real.map((e) => e.type));
    for (const [i, event] of run.events.entries()) {
      const realKeys = Object.keys(real[i] ?? {});
      expect(Object.keys(event).filter((key) => !realKeys.includes(key))).toEqual([]);
    }
    expect(resultOf(run)).toMatchObject({ subtype: "success", is_error: false, result: "4" });
    expect(run.events[0]).toMatchObject({ subtype: "init", model: "m1" });
  });

  it("replays a recorded transcript", async () => {
    const transcript = join(fixtures, "transcripts", "max-output-tokens.jsonl");
    const run = await runClaude({
      bin: join(fixtures, "claude"),
      args: streamJsonArgs("anything"),
      cwd: fixtures,
      env: {
        PATH: process.env.PATH ?? "",
        FAKE_CLAUDE_MODE: "replay",
        FAKE_CLAUDE_TRANSCRIPT: transcript,
        FAKE_CLAUDE_EXIT_CODE: "1",
      },
    });
    expect(run.exitCode).toBe(1);
    expect(String(resultOf(run).result)).toMatch(/exceeded the 4096 output token maximum/);
  });
});
