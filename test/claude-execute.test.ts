/**
 * `claude.execute` through a real server with the real Claude CLI (node_modules/.bin/claude)
 * against the mock Anthropic API (DESIGN §6, §9; docs/claude.md).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  CLAUDE_BIN,
  createClaudeSandbox,
  writeOAuthCredentials,
} from "./fixtures/mock-anthropic/claude-runner.js";
import {
  authenticationError,
  firstUserText,
  maxTokensReply,
  numberedWords,
  overloadedError,
  rateLimitError,
  readFileReply,
  textReply,
  toolResults,
  usageLimitError,
  writeFileReply,
} from "./fixtures/mock-anthropic/index.js";
import { type ClaudeHarness, startClaudeHarness, streamEvents } from "./helpers/claude-server.js";
import { groupPids } from "./helpers/cli-process.js";
import { eventually } from "./helpers/processes.js";
import type { Message } from "./helpers/rpc-socket.js";

let h: ClaudeHarness;

beforeAll(async () => {
  h = await startClaudeHarness({ claudeResultGraceMs: 2000 });
});

afterAll(async () => {
  await h?.stop();
});

beforeEach(() => {
  h.mock.reset();
  h.mock.setDefault(textReply("OK"));
});

type Claude = Record<string, unknown> & { result?: string; attempts?: number; failure?: string };

function claudeOf(completed: Record<string, unknown>): Claude {
  return completed.claude as Claude;
}

function notes(id: string, method: string): Array<Record<string, unknown>> {
  return h.socket.all(method, id).map((m: Message) => m.params as Record<string, unknown>);
}

describe("claude.execute with the real CLI", () => {
  it("answers 'What is 2+2?': completion on the result, with the claude fields", async () => {
    h.mock.setDefault(textReply("4"));
    const { id, completed, reply } = await h.claude("What is 2+2?");
    expect(reply.result).toMatchObject({ status: "started", execution_id: id });
    expect(completed).toMatchObject({ status: "completed", exit_code: 0 });
    const claude = claudeOf(completed);
    expect(claude).toMatchObject({
      result: "4",
      is_error: false,
      subtype: "success",
      num_turns: 1,
      attempts: 1,
    });
    expect(typeof claude.cost_usd).toBe("number");
    expect(claude.usage).toMatchObject({ output_tokens: expect.any(Number) });
    const events = streamEvents(h.socket, id);
    // The answer streams as partial messages (stream_event pieces), then as a whole message.
    const deltas = events.filter((e) => e.type === "stream_event");
    expect(deltas.map((e) => (e.event as { type: string }).type)).toContain("content_block_delta");
    const whole = events.filter((e) => e.type !== "stream_event" && e.subtype !== "status");
    expect(whole.map((e) => e.type)).toEqual(["system", "assistant", "result"]);
    expect(claude.session_id).toBe(events[0]?.session_id);
    expect(h.socket.all("process.completed", id)).toHaveLength(1);
    // The argv had the prompt after `--`; the CLI sent it as the user turn.
    expect(firstUserText(h.mock.messageRequests[0] as never)).toBe("What is 2+2?");
  });

  it("receives a 5,000-word answer complete, in the output and in the result", async () => {
    const words = numberedWords(5000);
    h.mock.setDefault(textReply(words, { chunkChars: 64 }));
    const { id, completed } = await h.claude("Write 5000 words.");
    expect(completed.status).toBe("completed");
    expect(claudeOf(completed).result).toBe(words);
    const assistant = streamEvents(h.socket, id).find((e) => e.type === "assistant") as {
      message: { content: Array<{ text: string }> };
    };
    expect(assistant.message.content[0]?.text).toBe(words);
    expect(words.split(/\s+/)).toHaveLength(5000);
  });

  it("writes a file in one run and reads it back in the next, in the same cwd", async () => {
    const file = join(h.sandbox.cwd, "notes.txt");
    const content = `written by the mock model ${Date.now()}\n`;
    const tools = { allowed_tools: ["Write", "Read"], permission_mode: "acceptEdits" };
    h.mock.enqueue(writeFileReply(file, content));
    h.mock.enqueue((request) => textReply(`wrote: ${toolResults(request)[0]?.text}`));
    const write = await h.claude("Create notes.txt", tools);
    expect(write.completed.status).toBe("completed");
    expect(claudeOf(write.completed)).toMatchObject({ is_error: false, num_turns: 2 });
    expect(await readFile(file, "utf8")).toBe(content);

    h.mock.enqueue(readFileReply(file));
    h.mock.enqueue((request) => textReply(`read: ${toolResults(request)[0]?.text}`));
    const read = await h.claude("Read notes.txt", tools);
    expect(read.completed.status).toBe("completed");
    expect(claudeOf(read.completed).result).toContain(content.trim());
    expect(claudeOf(read.completed).session_id).not.toBe(claudeOf(write.completed).session_id);
  });

  it("reports a 429 the CLI retried by itself, then completes", async () => {
    h.mock.enqueue(rateLimitError({ retryAfterSeconds: 1 }));
    h.mock.setDefault(textReply("after the limit"));
    const { id, completed } = await h.claude("Hello");
    expect(completed.status).toBe("completed");
    expect(claudeOf(completed)).toMatchObject({ result: "after the limit", attempts: 1 });
    const [limit] = notes(id, "error.rate_limit_exceeded");
    expect(limit).toMatchObject({
      execution_id: id,
      error_type: "rate_limit",
      status: 429,
      recoverable: true,
      attempt: 1,
    });
    expect(Number(limit?.retry_after)).toBeGreaterThanOrEqual(1);
    expect(String(limit?.message)).toMatch(/429/);
  });

  it("says when the answer hits the token limit, and retries asking for a concise answer", async () => {
    h.mock.setDefault(maxTokensReply("The answer is"));
    h.mock.when(
      (request) => firstUserText(request).includes("exceeded the 4096-token output limit"),
      textReply("Short answer."),
    );
    const env = h.env({ CLAUDE_CODE_MAX_OUTPUT_TOKENS: "4096" });
    const { id, completed } = await h.claude("Explain everything.", { env });
    const [limit] = notes(id, "error.token_limit_exceeded");
    expect(limit).toMatchObject({ limit: 4096, recoverable: true, attempt: 1 });
    expect(notes(id, "claude.retry")).toEqual([
      expect.objectContaining({ attempt: 2, reason: "token_limit", delay_ms: 0 }),
    ]);
    expect(completed.status).toBe("completed");
    expect(claudeOf(completed)).toMatchObject({ result: "Short answer.", attempts: 2 });
    // The CLI's own 3 continuations (4 requests), then one request of the concise retry.
    expect(h.mock.messageRequests).toHaveLength(5);
    expect(h.socket.all("process.started", id)).toHaveLength(2);
    expect(h.socket.all("process.completed", id)).toHaveLength(1);
  });

  it("fails clearly at the token limit when no retry is left", async () => {
    h.mock.setDefault(maxTokensReply("The answer is"));
    const env = h.env({ CLAUDE_CODE_MAX_OUTPUT_TOKENS: "4096" });
    const { id, completed } = await h.claude("Explain everything.", { env, retries: 0 });
    expect(completed.status).toBe("failed");
    expect(claudeOf(completed)).toMatchObject({ failure: "token_limit", is_error: true });
    expect(String(completed.error)).toMatch(/exceeded the 4096 output-token maximum/);
    expect(notes(id, "error.token_limit_exceeded")).toHaveLength(1);
  });

  it("stops a bad API key at the first 401 instead of the CLI's minutes of retries", async () => {
    h.mock.setDefault(authenticationError());
    const started = Date.now();
    // No CLAUDE_CODE_MAX_RETRIES: the CLI alone would retry for ≈190 s.
    const { id, completed } = await h.claude("Hello", {
      env: h.env({ CLAUDE_CODE_MAX_RETRIES: undefined }),
    });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(completed.status).toBe("failed");
    expect(claudeOf(completed).failure).toBe("auth");
    expect(String(completed.error)).toMatch(/authentication failed \(auth_mode "api-key"\)/);
    const [auth] = notes(id, "error.auth_failed");
    expect(auth).toMatchObject({ auth_mode: "api-key", status: 401, recoverable: false });
    expect(notes(id, "claude.retry")).toEqual([]);
  });

  it("explains the CLI's own auth error text when it gives up at once", async () => {
    h.mock.setDefault(authenticationError());
    const { id, completed } = await h.claude("Hello", {
      env: h.env({ CLAUDE_CODE_MAX_RETRIES: "0" }),
    });
    expect(completed.status).toBe("failed");
    expect(String(completed.error)).toContain("Invalid API key");
    expect(String(completed.error)).toContain("ANTHROPIC_API_KEY");
    expect(notes(id, "error.auth_failed")).toHaveLength(1);
  });

  it("retries a transient failure as a new process of the same execution", async () => {
    h.mock.enqueue(overloadedError(), overloadedError(), overloadedError());
    h.mock.setDefault(textReply("recovered"));
    const { id, completed } = await h.claude("Hello");
    expect(completed.status).toBe("completed");
    expect(claudeOf(completed)).toMatchObject({ result: "recovered", attempts: 2 });
    const [retry] = notes(id, "claude.retry");
    expect(retry).toMatchObject({ attempt: 2, max_attempts: 3, reason: "transient" });
    expect(notes(id, "error.rate_limit_exceeded")[0]).toMatchObject({ error_type: "overloaded" });
    const pids = h.socket.all("process.started", id).map((m) => m.params?.pid);
    expect(pids).toHaveLength(2);
    expect(pids[0]).not.toBe(pids[1]);
    const seqs = h.socket.all("process.output", id).map((m) => Number(m.params?.seq));
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(completed.last_seq).toBe(seqs.length);
    expect(h.socket.all("process.completed", id)).toHaveLength(1);
  });

  it("verifies the UUID: asks for it, retries an answer without it, reports uuid_verified", async () => {
    const uuidOf = (text: string) => /([0-9a-f-]{36})\s*$/.exec(text)?.[1] ?? "";
    h.mock.enqueue(textReply("I forgot the code."));
    h.mock.setDefault((request) => {
      const prompt = firstUserText(request);
      return textReply(`Done.\n${uuidOf(prompt)}`);
    });
    const { id, completed } = await h.claude("Do the task.", { verify_uuid: true });
    expect(completed.status).toBe("completed");
    expect(claudeOf(completed)).toMatchObject({ uuid_verified: true, attempts: 2 });
    expect(notes(id, "claude.retry")[0]).toMatchObject({ reason: "uuid_missing" });
    const prompts = h.mock.messageRequests.map((request) => uuidOf(firstUserText(request)));
    expect(prompts).toHaveLength(2);
    expect(prompts[0]).not.toBe(prompts[1]);
    expect(claudeOf(completed).result).toContain(prompts[1]);
  });

  it("cancels mid-run and leaves no process behind", async () => {
    h.mock.setDefault(textReply(numberedWords(2000), { chunkChars: 8, eventDelayMs: 20 }));
    const reply = await h.socket.call("claude.execute", {
      prompt: "Write slowly.",
      cwd: h.sandbox.cwd,
      env: h.env(),
    });
    const id = (reply.result as { execution_id: string }).execution_id;
    const pgid = Number((reply.result as { pgid: number }).pgid);
    await h.mock.waitForRequest();
    expect(groupPids(pgid).length).toBeGreaterThan(0);
    await h.socket.result("control", { type: "CANCEL", execution_id: id });
    const completed = (await h.socket.notification("process.completed", id)).params ?? {};
    expect(completed.status).toBe("canceled");
    expect(await eventually(() => groupPids(pgid).length === 0, 5000)).toBe(true);
  });

  it("fails a usage limit clearly, with its reset time", async () => {
    await writeOAuthCredentials(h.sandbox.home);
    const resetAt = Math.floor(Date.now() / 1000) + 3600;
    h.mock.setDefault(usageLimitError({ resetAtSeconds: resetAt }));
    const { id, completed } = await h.claude("Hello", {
      auth_mode: "subscription",
      env: h.env({ ANTHROPIC_API_KEY: undefined }),
    });
    expect(completed.status).toBe("failed");
    expect(claudeOf(completed).failure).toBe("usage_limit");
    expect(String(completed.error)).toContain(new Date(resetAt * 1000).toISOString());
    expect(String(completed.error)).toContain("wait_for_usage_reset");
    expect(notes(id, "error.rate_limit_exceeded")).toEqual([
      expect.objectContaining({
        error_type: "usage_limit",
        reset_timestamp: resetAt,
        recoverable: false,
      }),
    ]);
  });

  it("waits for the usage limit's reset when asked, then runs again", async () => {
    await writeOAuthCredentials(h.sandbox.home);
    const resetAt = Math.floor(Date.now() / 1000) + 1;
    h.mock.enqueue(usageLimitError({ resetAtSeconds: resetAt }));
    h.mock.setDefault(textReply("after the reset"));
    const { id, completed } = await h.claude("Hello", {
      auth_mode: "subscription",
      wait_for_usage_reset: true,
      env: h.env({ ANTHROPIC_API_KEY: undefined }),
    });
    expect(completed.status).toBe("completed");
    expect(claudeOf(completed)).toMatchObject({ result: "after the reset", attempts: 2 });
    const [retry] = notes(id, "claude.retry");
    expect(retry).toMatchObject({ reason: "usage_limit" });
    expect(Number(retry?.delay_ms)).toBeGreaterThan(1000);
    const [second] = h.mock.messageRequests.slice(1);
    expect(second?.receivedAt ?? 0).toBeGreaterThanOrEqual(resetAt * 1000);
  });

  it("subscription mode keeps ANTHROPIC_API_KEY from the CLI and explains the login", async () => {
    // A home without any login (the usage-limit tests log the shared sandbox in).
    const fresh = await createClaudeSandbox();
    const { id, completed } = await h
      .claude("Hello", {
        auth_mode: "subscription",
        cwd: fresh.cwd,
        env: fresh.env(h.mock.url, { ANTHROPIC_API_KEY: "sk-must-not-reach-the-cli" }),
      })
      .finally(() => fresh.cleanup());
    const init = streamEvents(h.socket, id)[0];
    expect(init).toMatchObject({ type: "system", subtype: "init", apiKeySource: "none" });
    expect(h.mock.messageRequests).toHaveLength(0);
    expect(completed.status).toBe("failed");
    expect(String(completed.error)).toMatch(/Not logged in.*\/login/s);
    expect(notes(id, "error.auth_failed")[0]).toMatchObject({ auth_mode: "subscription" });
  });

  it("says what to do when the CLI refuses to bypass permissions as root", async () => {
    const { id, completed } = await h.claude("Hello", { permission_mode: "bypassPermissions" });
    if (process.getuid?.() !== 0) {
      expect(completed.status).toBe("completed");
      return;
    }
    expect(completed.status).toBe("failed");
    expect(claudeOf(completed).failure).toBe("root_refusal");
    expect(String(completed.error)).toMatch(/acceptEdits.*IS_SANDBOX=1/s);
    expect(notes(id, "error.root_refusal")).toHaveLength(1);
  });

  it("gives `execute` of a claude command line the same completion and detections", async () => {
    h.mock.setDefault(textReply("4"));
    const bin = CLAUDE_BIN.slice(0, CLAUDE_BIN.lastIndexOf("/"));
    const env = h.env({ PATH: `${bin}:${process.env.PATH}` });
    const { completed } = await h.socket.run(
      "claude -p --output-format stream-json --verbose -- 'What is 2+2?'",
      { cwd: h.sandbox.cwd, env },
    );
    expect(completed.status).toBe("completed");
    expect(completed.claude).toMatchObject({ result: "4", is_error: false, attempts: 1 });
  });

  it("refuses bad params with -32602 naming the field", async () => {
    for (const [params, field] of [
      [{ prompt: "" }, "prompt"],
      [{ prompt: "x", model: "--evil" }, "model"],
      [{ prompt: "x", retries: -1 }, "retries"],
      [{ prompt: "x", cwd: "/no/such/dir" }, "cwd"],
    ] as const) {
      const reply = await h.socket.call("claude.execute", params);
      expect(reply.error?.code).toBe(-32602);
      expect(reply.error?.message).toContain(field);
    }
  });
});
