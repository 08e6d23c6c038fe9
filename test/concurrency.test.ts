/**
 * Concurrency and limits over real sockets (DESIGN §4): several executions per connection,
 * queueing past the global cap (the queued reply, and process.started only after a slot frees),
 * and -32003 for a full queue, the per-connection cap and MAX_SESSIONS (error, then close 1013,
 * while the other connections keep working).
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SettingsInput } from "../src/config/settings.js";
import { ErrorCode } from "../src/protocol/errors.js";
import { startAuditedServer } from "./helpers/audited-server.js";
import { eventually } from "./helpers/processes.js";
import { type Message, RpcSocket } from "./helpers/rpc-socket.js";
import { startTestServer, type TestServer, tempDir } from "./helpers/test-server.js";

let scratch: string;
let flagCount = 0;
const servers: TestServer[] = [];
const sockets: RpcSocket[] = [];

beforeAll(() => {
  scratch = tempDir("cce-concurrency-");
});
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  for (const server of servers.splice(0)) await server.stop();
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function serve(overrides: Partial<SettingsInput>): Promise<TestServer> {
  const server = await startTestServer(overrides);
  servers.push(server);
  return server;
}

async function open(server: TestServer): Promise<RpcSocket> {
  const socket = await RpcSocket.open(server.wsUrl, { token: server.token });
  sockets.push(socket);
  await socket.notification("connected");
  return socket;
}

/** A command that blocks until the test releases it (no timing guesses). */
function gated(label: string): { command: string; release: () => void } {
  const path = join(scratch, `gate-${++flagCount}`);
  return {
    command: `while [ ! -e ${path} ]; do sleep 0.02; done; echo ${label}`,
    release: () => writeFileSync(path, ""),
  };
}

type Started = { status: string; execution_id: string; position?: number; pid?: number };

async function expectWorks(socket: RpcSocket): Promise<void> {
  const { id, completed } = await socket.run("echo works");
  expect(completed.status).toBe("completed");
  expect(socket.output(id)).toBe("works\n");
}

describe("several executions on one connection", () => {
  it("run at once, each with its own seq and its own completion", async () => {
    const server = await serve({});
    const socket = await open(server);
    const gates = ["a", "b", "c"].map(gated);
    const started = await Promise.all(
      gates.map((gate) => socket.result<Started>("execute", { command: gate.command })),
    );
    expect(started.map((s) => s.status)).toEqual(["started", "started", "started"]);
    const status = await socket.result<{ executions: { running: number } }>("server.status");
    expect(status.executions.running).toBe(3);
    for (const gate of [...gates].reverse()) gate.release();
    for (const [i, s] of started.entries()) {
      const completed = await socket.notification("process.completed", s.execution_id);
      expect(completed.params).toMatchObject({ status: "completed", last_seq: 1 });
      expect(socket.output(s.execution_id)).toBe(`${["a", "b", "c"][i]}\n`);
    }
  });
});

describe("queueing past the global cap (maxConcurrent: 1)", () => {
  it("answers queued with a position; process.started comes only after the first ends", async () => {
    const server = await serve({ maxConcurrent: 1 });
    const socket = await open(server);
    const first = gated("first");
    const one = await socket.result<Started>("execute", { command: first.command });
    expect(one.status).toBe("started");
    const two = await socket.result<Started>("execute", { command: "echo second" });
    const three = await socket.result<Started>("execute", { command: "echo third" });
    expect(two).toEqual({ status: "queued", execution_id: expect.any(String), position: 1 });
    expect(three).toEqual({ status: "queued", execution_id: expect.any(String), position: 2 });

    const status = await socket.result<{ executions: { running: number; queued: number } }>(
      "server.status",
    );
    expect(status.executions).toMatchObject({ running: 1, queued: 2 });
    const queued = await socket.result<{ executions: Array<Record<string, unknown>> }>(
      "executions.list",
      { status: "queued" },
    );
    expect(queued.executions.map((e) => [e.execution_id, e.pid])).toEqual([
      [three.execution_id, null],
      [two.execution_id, null],
    ]);
    expect(socket.all("process.started", two.execution_id)).toHaveLength(0);

    first.release();
    const firstDone = await socket.notification("process.completed", one.execution_id);
    const twoStarted = await socket.notification("process.started", two.execution_id);
    const twoDone = await socket.notification("process.completed", two.execution_id);
    const threeStarted = await socket.notification("process.started", three.execution_id);
    await socket.notification("process.completed", three.execution_id);
    const at = (m: Message) => socket.messages.indexOf(m);
    expect(at(twoStarted)).toBeGreaterThan(at(firstDone));
    expect(at(threeStarted)).toBeGreaterThan(at(twoDone));
    expect(socket.output(two.execution_id)).toBe("second\n");
    expect(socket.output(three.execution_id)).toBe("third\n");
  });

  it("-32003 when the queue is full; the connection keeps working once it drains", async () => {
    const server = await serve({ maxConcurrent: 1, maxQueue: 1 });
    const socket = await open(server);
    const first = gated("first");
    const one = await socket.result<Started>("execute", { command: first.command });
    const two = await socket.result<Started>("execute", { command: "echo queued" });
    expect(two.status).toBe("queued");
    const full = await socket.call("execute", { command: "echo refused" });
    expect(full.error).toMatchObject({
      code: ErrorCode.LimitReached,
      message: expect.stringContaining("queue is full"),
    });
    // Other requests are still served while the queue is full.
    expect(await socket.result("hook_status")).toMatchObject({ hooks: expect.any(Array) });
    first.release();
    await socket.notification("process.completed", one.execution_id);
    await socket.notification("process.completed", two.execution_id);
    await expectWorks(socket);
  });
});

describe("per-connection cap (maxPerConnection: 2)", () => {
  it("-32003 for a third execution on one connection; other connections are unaffected", async () => {
    const server = await serve({ maxPerConnection: 2 });
    const socket = await open(server);
    const gates = [gated("a"), gated("b")];
    const running = await Promise.all(
      gates.map((gate) => socket.result<Started>("execute", { command: gate.command })),
    );
    const refused = await socket.call("execute", { command: "echo refused" });
    expect(refused.error).toMatchObject({
      code: ErrorCode.LimitReached,
      message: expect.stringContaining("limit 2"),
    });
    await expectWorks(await open(server));
    gates[0]?.release();
    await socket.notification("process.completed", running[0]?.execution_id);
    await expectWorks(socket);
    gates[1]?.release();
    await socket.notification("process.completed", running[1]?.execution_id);
  });
});

describe("MAX_SESSIONS (maxSessions: 2)", () => {
  it("the extra connection gets -32003 and close 1013; the others keep working", async () => {
    const server = await startAuditedServer({ maxSessions: 2 });
    servers.push(server);
    const first = await open(server);
    const second = await open(server);
    const extra = await RpcSocket.open(server.wsUrl, { token: server.token });
    sockets.push(extra);
    const error = await extra.waitFor((m) => "error" in m);
    expect(error).toEqual({
      jsonrpc: "2.0",
      id: null,
      error: { code: ErrorCode.LimitReached, message: "session limit reached (2 connections)" },
    });
    expect(await extra.whenClosed()).toBe(1013);
    expect(extra.all("connected")).toHaveLength(0);
    expect(server.context.connections.size).toBe(2);
    expect(server.audit.filter((e) => e.event === "refused")).toEqual([
      { event: "refused", reason: "session limit reached", peer: "127.0.0.1", path: "/ws/mcp" },
    ]);
    await expectWorks(first);
    await expectWorks(second);

    // A slot that frees up can be taken again.
    first.close();
    await first.whenClosed();
    expect(await eventually(() => server.context.connections.size === 1)).toBe(true);
    await expectWorks(await open(server));
    await expectWorks(second);
  });
});
