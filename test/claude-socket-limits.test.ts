/**
 * `/ws/claude` under the server's connection rules (DESIGN §11, issue 15): its connections count
 * against MAX_SESSIONS with `/ws/mcp` ones (refused in-band with close 1013 past the cap), and a
 * peer that stops answering pings is terminated like an `/ws/mcp` one. No prompt is needed for
 * either, so the fake CLI stands in and never runs.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { ErrorCode } from "../src/protocol/errors.js";
import { type AuditedServer, startAuditedServer } from "./helpers/audited-server.js";
import { RpcSocket } from "./helpers/rpc-socket.js";

const FAKE = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "fake-claude", "claude");

interface ClaudeSession {
  ws: WebSocket;
  frames: string[];
  close: Promise<{ code: number; reason: string }>;
}

const servers: AuditedServer[] = [];
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  for (const server of servers.splice(0)) await server.stop();
});

async function start(overrides: Parameters<typeof startAuditedServer>[0]): Promise<AuditedServer> {
  const server = await startAuditedServer({ claudeBin: FAKE, ...overrides });
  servers.push(server);
  return server;
}

/** Opens `/ws/claude` and resolves once the first frame (the info, or a refusal) arrived. */
function openClaude(server: AuditedServer): Promise<ClaudeSession> {
  const ws = new WebSocket(`${server.url.replace("http", "ws")}/ws/claude`, {
    headers: { authorization: `Bearer ${server.token}` },
  });
  sockets.push(ws);
  ws.on("error", () => {});
  const frames: string[] = [];
  const close = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return new Promise((resolve, reject) => {
    ws.once("unexpected-response", (_request, response) =>
      reject(new Error(`HTTP ${response.statusCode}`)),
    );
    ws.on("message", (data) => {
      frames.push(data.toString());
      if (frames.length === 1) resolve({ ws, frames, close });
    });
  });
}

async function openRpc(server: AuditedServer): Promise<RpcSocket> {
  const socket = await RpcSocket.open(server.wsUrl, { token: server.token });
  sockets.push(socket.ws);
  return socket;
}

describe("/ws/claude and MAX_SESSIONS", () => {
  it("counts /ws/claude connections: past the cap both paths refuse in-band and close 1013", async () => {
    const server = await start({ maxSessions: 2 });
    const first = await openClaude(server);
    expect(JSON.parse(first.frames[0] ?? "")).toEqual({ info: "send {prompt,meta}" });
    const rpc = await openRpc(server);
    await rpc.notification("connected");

    // The cap is taken by one of each: a third /ws/claude is told so and closed 1013 …
    const extraClaude = await openClaude(server);
    expect(JSON.parse(extraClaude.frames[0] ?? "")).toEqual({
      error: "session limit reached (2 connections)",
    });
    expect((await extraClaude.close).code).toBe(1013);
    // … and so is a third /ws/mcp.
    const extraRpc = await openRpc(server);
    expect(await extraRpc.waitFor((m) => "error" in m)).toMatchObject({
      error: { code: ErrorCode.LimitReached, message: "session limit reached (2 connections)" },
    });
    expect(await extraRpc.whenClosed()).toBe(1013);
    expect(server.audit.filter((e) => e.event === "refused")).toEqual([
      { event: "refused", reason: "session limit reached", peer: "127.0.0.1", path: "/ws/claude" },
      { event: "refused", reason: "session limit reached", peer: "127.0.0.1", path: "/ws/mcp" },
    ]);

    // A /ws/claude slot that frees up can be taken again, by either path.
    first.ws.close();
    await first.close;
    await expect.poll(() => server.audit.filter((e) => e.event === "disconnected").length).toBe(1);
    const again = await openRpc(server);
    await again.notification("connected");
  });
});

describe("/ws/claude heartbeat", () => {
  it("pings a live peer, which stays connected", { timeout: 15_000 }, async () => {
    const server = await start({ heartbeatIntervalMs: 300 });
    const session = await openClaude(server);
    let pings = 0;
    const threePings = new Promise<void>((resolve) =>
      session.ws.on("ping", () => {
        if (++pings === 3) resolve();
      }),
    );
    await threePings;
    expect(session.ws.readyState).toBe(WebSocket.OPEN);
    expect(server.audit.filter((e) => e.event === "disconnected")).toHaveLength(0);
  });

  it("terminates a peer that stops answering pings (no close frame) and frees its slot", async () => {
    const server = await start({ heartbeatIntervalMs: 300, maxSessions: 1 });
    const silent = await openClaude(server);
    // Stop reading: pings go unanswered, as with a peer that vanished without a FIN.
    silent.ws.pause();
    await expect
      .poll(() => server.audit.filter((e) => e.event === "disconnected").length, {
        timeout: 15_000,
      })
      .toBe(1);
    silent.ws.resume();
    // 1006 on the client: the server dropped the socket instead of sending a close frame.
    expect((await silent.close).code).toBe(1006);
    const next = await openClaude(server);
    expect(JSON.parse(next.frames[0] ?? "")).toEqual({ info: "send {prompt,meta}" });
  });
});
