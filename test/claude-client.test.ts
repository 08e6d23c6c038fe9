/**
 * The SDK's Claude runs (docs/claude.md): `client.claude()` resolves with a typed result, a
 * failed run included; `client.claudeStream()` yields the CLI's lines parsed as they come.
 * Real server, real CLI, mock Anthropic API.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import type { ClaudeStreamEvent } from "../src/client/claude.js";
import type { CcExecutorClient } from "../src/client/client.js";
import { connect } from "../src/client/node.js";
import {
  authenticationError,
  rateLimitError,
  textReply,
  writeFileReply,
} from "./fixtures/mock-anthropic/index.js";
import { type ClaudeHarness, startClaudeHarness } from "./helpers/claude-server.js";

let h: ClaudeHarness;
let client: CcExecutorClient;

beforeAll(async () => {
  h = await startClaudeHarness();
  client = await connect({ url: h.server.wsUrl, token: h.server.token, reconnect: false });
});

afterAll(async () => {
  client?.close();
  await h?.stop();
});

beforeEach(() => {
  h.mock.reset();
});

const base = () => ({ cwd: h.sandbox.cwd, env: h.env() });

it("client.claude resolves with the answer, session, cost and turns", async () => {
  h.mock.setDefault(textReply("4"));
  const run = await client.claude("What is 2+2?", base());
  expect(run).toMatchObject({
    success: true,
    status: "completed",
    result: "4",
    isError: false,
    subtype: "success",
    numTurns: 1,
    attempts: 1,
    error: null,
    notices: [],
  });
  expect(run.sessionId).toMatch(/^[0-9a-f-]{36}$/);
  expect(run.costUsd).toBeGreaterThan(0);
  expect(run.durationMs).toBeGreaterThan(0);
});

it("client.claude reports a failure as a result with a clear error, and the notices", async () => {
  h.mock.setDefault(authenticationError());
  const run = await client.claude("Hello", base());
  expect(run.success).toBe(false);
  expect(run.failure).toBe("auth");
  expect(run.error).toMatch(/authentication failed/);
  expect(run.notices.map((notice) => notice.method)).toContain("error.auth_failed");
});

it("client.claudeStream yields init, tool calls, the answer and the result as parsed events", async () => {
  const file = `${h.sandbox.cwd}/sdk.txt`;
  h.mock.enqueue(rateLimitError({ retryAfterSeconds: 1 }));
  h.mock.enqueue(writeFileReply(file, "from the sdk\n", { chunkChars: 8 }));
  h.mock.setDefault(textReply("written"));
  const stream = client.claudeStream("Write sdk.txt", {
    ...base(),
    allowedTools: "Write",
    permissionMode: "acceptEdits",
  });
  const seen: ClaudeStreamEvent[] = [];
  for await (const item of stream) seen.push(item);
  const kinds = seen.map((item) => (item.type === "claude" ? item.event.kind : item.type));
  expect(kinds[0]).toBe("started");
  expect(kinds).toContain("init");
  expect(kinds).toContain("api_retry");
  expect(kinds.at(-2)).toBe("result");
  expect(kinds.at(-1)).toBe("completed");
  const tools = seen.flatMap((item) =>
    item.type === "claude" && item.event.kind === "assistant"
      ? item.event.event.message.content.filter((block) => block.type === "tool_use")
      : [],
  );
  expect(tools).toEqual([expect.objectContaining({ name: "Write" })]);
  const notices = seen.filter((item) => item.type === "notice");
  expect(notices[0]).toMatchObject({ notice: { method: "error.rate_limit_exceeded" } });
  const result = await stream.result;
  expect(result).toMatchObject({ success: true, result: "written", numTurns: 2 });
  expect(result.notices).toHaveLength(1);
});

it("aborting the signal cancels the run", async () => {
  h.mock.setDefault(textReply("late", { delayMs: 30_000 }));
  const controller = new AbortController();
  const stream = client.claudeStream("Wait", { ...base(), signal: controller.signal });
  for await (const item of stream) {
    if (item.type === "claude" && item.event.kind === "init") controller.abort();
  }
  const result = await stream.result;
  expect(result.status).toBe("canceled");
  expect(result.success).toBe(false);
});
