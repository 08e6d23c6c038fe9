/**
 * `/ws/claude` (DESIGN §6): info frame, zod validation, one frame per stdout line, close codes
 * 1000/1008/1011, timeout, kill on disconnect, one process per connection — with the real CLI
 * against the mock, and the fake CLI for silence.
 */
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import {
  CLAUDE_BIN,
  type ClaudeSandbox,
  createClaudeSandbox,
} from "./fixtures/mock-anthropic/claude-runner.js";
import {
  authenticationError,
  type MockAnthropic,
  startMockAnthropic,
  textReply,
} from "./fixtures/mock-anthropic/index.js";
import { groupPids } from "./helpers/cli-process.js";
import { eventually } from "./helpers/processes.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

const FAKE = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "fake-claude", "claude");

interface Session {
  frames: string[];
  close: Promise<{ code: number; reason: string }>;
  ws: WebSocket;
}

function open(server: TestServer, token = server.token): Promise<Session> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const ws = new WebSocket(`${server.url.replace("http", "ws")}/ws/claude`, { headers });
  const frames: string[] = [];
  let firstFrame: () => void = () => {};
  const info = new Promise<void>((resolve) => {
    firstFrame = resolve;
  });
  ws.on("message", (data) => {
    frames.push(data.toString());
    firstFrame();
  });
  const close = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return new Promise((resolve, reject) => {
    ws.once("unexpected-response", (_request, response) =>
      reject(new Error(`HTTP ${response.statusCode}`)),
    );
    ws.once("error", reject);
    ws.once("open", () => void info.then(() => resolve({ frames, close, ws })));
  });
}

/** A `claude` that talks to the mock from an isolated home: the server's own env is left alone. */
async function wrapper(dir: string, env: Record<string, string>): Promise<string> {
  const path = join(dir, "claude-against-mock");
  const exports = Object.entries(env)
    .map(([name, value]) => `export ${name}='${value.replaceAll("'", "'\\''")}'`)
    .join("\n");
  await writeFile(path, `#!/bin/sh\n${exports}\nexec '${CLAUDE_BIN}' "$@"\n`);
  await chmod(path, 0o755);
  return path;
}

let mock: MockAnthropic;
let sandbox: ClaudeSandbox;
let real: TestServer;
let fake: TestServer;
let fakeShort: TestServer;
let dir: string;

beforeAll(async () => {
  mock = await startMockAnthropic();
  sandbox = await createClaudeSandbox();
  dir = await mkdtemp(join(tmpdir(), "cce-ws-claude-"));
  real = await startTestServer({
    claudeBin: await wrapper(dir, sandbox.env(mock.url)),
    claudeAuth: "api-key",
  });
  fake = await startTestServer({ claudeBin: FAKE, killGraceMs: 500 });
  fakeShort = await startTestServer({ claudeBin: FAKE, claudeSocketTimeoutMs: 1000 });
});

afterAll(async () => {
  await real?.stop();
  await fake?.stop();
  await fakeShort?.stop();
  await mock?.close();
  await sandbox?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

describe("/ws/claude", () => {
  it("sends the info frame, then one frame per stdout line, then closes 1000", async () => {
    mock.setDefault(textReply("4"));
    const session = await open(real);
    expect(JSON.parse(session.frames[0] ?? "")).toEqual({ info: "send {prompt,meta}" });
    session.ws.send(JSON.stringify({ prompt: "What is 2+2?", meta: "TASK-123" }));
    expect(await session.close).toEqual({ code: 1000, reason: "done" });
    const lines = session.frames.slice(1).map((frame) => JSON.parse(frame));
    // Partial messages (stream_event, system/status) come between the whole lines.
    expect(lines.map((line) => line.type)).toContain("stream_event");
    const whole = lines.filter((line) => line.type !== "stream_event" && line.subtype !== "status");
    expect(whole.map((line) => line.type)).toEqual(["system", "assistant", "result"]);
    expect(whole[2]).toMatchObject({ result: "4", is_error: false });
  });

  it("closes 1008 on invalid JSON", async () => {
    const session = await open(real);
    session.ws.send("{not json");
    expect((await session.close).code).toBe(1008);
  });

  it.each([
    [{ prompt: "" }, "prompt"],
    [{ prompt: "x".repeat(8193) }, "prompt"],
    [{ prompt: "é".repeat(4097) }, "prompt"],
    [{ prompt: "hi", meta: "task-123" }, "meta"],
    [{ meta: "TASK" }, "prompt"],
    [["hi"], "message"],
  ])("closes 1008 on invalid fields: %j", async (message, field) => {
    const session = await open(real);
    session.ws.send(JSON.stringify(message));
    const closed = await session.close;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toContain(field);
  });

  it("accepts a prompt of exactly 8192 bytes", async () => {
    mock.setDefault(textReply("long prompt read"));
    const session = await open(real);
    session.ws.send(JSON.stringify({ prompt: "y".repeat(8192), meta: "BIG_1" }));
    expect((await session.close).code).toBe(1000);
  });

  it("sends an error frame and closes 1011 when the run fails", async () => {
    mock.setDefault(authenticationError());
    const session = await open(real);
    session.ws.send(JSON.stringify({ prompt: "Hello" }));
    expect((await session.close).code).toBe(1011);
    const error = JSON.parse(session.frames.at(-1) ?? "{}");
    expect(error.error).toMatch(/authentication failed/);
    mock.setDefault(textReply("OK"));
  });

  it("closes 1011 with an error frame when the CLI cannot start", async () => {
    const broken = await startTestServer({ claudeBin: join(dir, "no-such-claude") });
    try {
      const session = await open(broken);
      session.ws.send(JSON.stringify({ prompt: "Hello" }));
      expect((await session.close).code).toBe(1011);
      expect(JSON.parse(session.frames.at(-1) ?? "{}").error).toMatch(/no-such-claude|ENOENT/);
    } finally {
      await broken.stop();
    }
  });

  it("kills the run at the timeout and closes 1011", async () => {
    const session = await open(fakeShort);
    session.ws.send(JSON.stringify({ prompt: "FAKE:silence" }));
    const started = performance.now();
    expect((await session.close).code).toBe(1011);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
    expect(JSON.parse(session.frames.at(-1) ?? "{}").error).toMatch(/timed out/);
  });

  it("kills the process group when the client disconnects", async () => {
    const session = await open(fake);
    session.ws.send(JSON.stringify({ prompt: "FAKE:silence" }));
    const running = await eventually(
      () => fake.context.engine.list({ status: ["running"], limit: 10 }).length > 0,
      5000,
    );
    expect(running).toBe(true);
    const [execution] = fake.context.engine.list({ status: ["running"], limit: 10 });
    const pgid = execution?.pid ?? -1;
    expect(groupPids(pgid).length).toBeGreaterThan(0);
    session.ws.close();
    const completion = await execution?.done;
    expect(completion?.status).toBe("canceled");
    expect(await eventually(() => groupPids(pgid).length === 0, 5000)).toBe(true);
  });

  it("runs one process per connection and says so to a second prompt", async () => {
    const session = await open(fakeShort);
    session.ws.send(JSON.stringify({ prompt: "FAKE:silence first" }));
    session.ws.send(JSON.stringify({ prompt: "second" }));
    expect((await session.close).code).toBe(1011);
    const errors = session.frames.filter((frame) => frame.includes("one prompt per connection"));
    expect(errors).toHaveLength(1);
  });

  it("refuses a handshake without the token before any frame", async () => {
    await expect(open(real, null)).rejects.toThrow("HTTP 401");
  });
});
