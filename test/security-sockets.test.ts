/**
 * Idle and half-open sockets (DESIGN §11, issue 15 item 5): no token is needed to open a TCP
 * connection, so the server must not let connections that never finish a request pile up. A
 * connection that sends nothing, or trickles its headers without ending them, is closed within the
 * idle timeout; at most `maxConnectionsPerAddress` are open from one address at once, the next
 * refused with a plain 503 that says why. Upgraded WebSockets are left alone (heartbeats watch
 * them). Real sockets throughout; any 127.x.y.z address is this machine, so a second source
 * address stands in for another peer.
 */
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type AuditedServer, startAuditedServer } from "./helpers/audited-server.js";
import { probe } from "./helpers/http-probe.js";
import { RpcSocket } from "./helpers/rpc-socket.js";

interface Raw {
  socket: Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Resolves when the socket closed (by either side). */
  closed: Promise<void>;
}

const servers: AuditedServer[] = [];
const raws: Raw[] = [];

afterEach(async () => {
  for (const raw of raws.splice(0)) raw.socket.destroy();
  for (const server of servers.splice(0)) await server.stop();
});

async function start(overrides: Parameters<typeof startAuditedServer>[0]): Promise<AuditedServer> {
  const server = await startAuditedServer(overrides);
  servers.push(server);
  return server;
}

/** A raw TCP connection that sends nothing until told to. */
function openRaw(
  port: number,
  options: { localAddress?: string; allowHalfOpen?: boolean } = {},
): Promise<Raw> {
  const socket = connect({
    host: "127.0.0.1",
    port,
    localAddress: options.localAddress ?? "127.0.0.1",
    allowHalfOpen: options.allowHalfOpen ?? false,
  });
  let text = "";
  socket.setEncoding("utf8");
  socket.on("data", (part: string) => {
    text += part;
  });
  socket.on("error", () => {});
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  const raw: Raw = { socket, received: () => text, closed };
  raws.push(raw);
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(raw));
    socket.once("error", reject);
  });
}

function request(server: AuditedServer, path: string): string {
  return `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`;
}

describe("idle connections", () => {
  it("two hundred that never send a byte are all closed within the idle timeout; /healthz answers meanwhile", {
    timeout: 20_000,
  }, async () => {
    const server = await start({ socketIdleTimeoutMs: 1000 });
    const started = performance.now();
    const idle = await Promise.all(Array.from({ length: 200 }, () => openRaw(server.port)));
    expect((await probe(server.port, { path: "/healthz" })).status).toBe(200);
    await Promise.all(idle.map((raw) => raw.closed));
    // Sanity bound only: 1 s of idleness, plus the time to open them on a loaded machine.
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(idle.every((raw) => raw.received() === "")).toBe(true);
    expect((await probe(server.port, { path: "/healthz" })).status).toBe(200);
  });

  it("one that trickles header lines and never ends them is closed too", {
    timeout: 20_000,
  }, async () => {
    const server = await start({ socketIdleTimeoutMs: 1000 });
    const slow = await openRaw(server.port);
    slow.socket.write("GET /healthz HTTP/1.1\r\n");
    // A header line every 100 ms: never idle, never done (slowloris).
    const trickle = setInterval(() => slow.socket.write("X-Slow: 1\r\n"), 100);
    try {
      await slow.closed;
    } finally {
      clearInterval(trickle);
    }
    expect((await probe(server.port, { path: "/healthz" })).status).toBe(200);
  });

  it("upgraded WebSockets are not idle connections: one stays open while a raw socket beside it is closed", {
    timeout: 20_000,
  }, async () => {
    const server = await start({ socketIdleTimeoutMs: 500, heartbeatIntervalMs: 60_000 });
    const socket = await RpcSocket.open(server.wsUrl, { token: server.token });
    try {
      await socket.notification("connected");
      const idle = await openRaw(server.port);
      await idle.closed; // opened after the WebSocket, so its idle timeout has passed too
      expect(socket.closeCode).toBeNull();
      const { completed } = await socket.run("echo still here");
      expect(completed.status).toBe("completed");
    } finally {
      socket.close();
    }
  });
});

describe("connections per remote address", () => {
  it("past the cap a connection gets 503 saying why and is closed; other addresses are served; freed slots are reused", async () => {
    const server = await start({ maxConnectionsPerAddress: 20, socketIdleTimeoutMs: 60_000 });
    const held = await Promise.all(
      Array.from({ length: 20 }, () => openRaw(server.port, { localAddress: "127.0.0.2" })),
    );

    const extra = await openRaw(server.port, { localAddress: "127.0.0.2" });
    extra.socket.write(request(server, "/healthz"));
    await extra.closed;
    expect(extra.received()).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    expect(extra.received()).toMatch(
      /\r\n\r\ntoo many connections from 127\.0\.0\.2 \(limit 20\)\n$/,
    );

    // A WebSocket client is told the same, as an HTTP answer to its handshake.
    const ws = new WebSocket(server.wsUrl, {
      headers: { authorization: `Bearer ${server.token}` },
      localAddress: "127.0.0.2",
    });
    const status = await new Promise<number>((resolve, reject) => {
      ws.once("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
      ws.once("open", () => reject(new Error("upgraded past the cap")));
      ws.once("error", () => {});
    });
    ws.terminate();
    expect(status).toBe(503);

    // Another address is not affected.
    expect((await probe(server.port, { path: "/healthz" })).status).toBe(200);
    const refusals = server.audit.filter((e) => e.event === "refused");
    expect(refusals.length).toBeGreaterThanOrEqual(2);
    expect(refusals[0]).toEqual({
      event: "refused",
      reason: "too many connections from this address",
      peer: "127.0.0.2",
      path: "-",
    });

    for (const raw of held) raw.socket.destroy();
    await Promise.all(held.map((raw) => raw.closed));
    await expect
      .poll(
        async () =>
          (await probe(server.port, { path: "/healthz", localAddress: "127.0.0.2" })).status,
      )
      .toBe(200);
  });

  it("a refused handshake whose peer neither reads nor closes is dropped within the idle timeout, freeing its slot", {
    timeout: 20_000,
  }, async () => {
    const server = await start({ maxConnectionsPerAddress: 3, socketIdleTimeoutMs: 500 });
    const handshake =
      `GET /ws/mcp HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: Upgrade\r\n` +
      "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n" +
      "Sec-WebSocket-Key: Y2MtZXhlY3V0b3ItdGVzdA==\r\n\r\n";
    const lingering = await Promise.all(
      Array.from({ length: 3 }, () =>
        openRaw(server.port, { localAddress: "127.0.0.3", allowHalfOpen: true }),
      ),
    );
    for (const raw of lingering) raw.socket.write(handshake);
    // Each gets its 401 and the server's end of the stream, and keeps its own side open.
    await expect
      .poll(() => lingering.every((raw) => raw.received().startsWith("HTTP/1.1 401")))
      .toBe(true);
    await expect
      .poll(
        async () =>
          (await probe(server.port, { path: "/healthz", localAddress: "127.0.0.3" })).status,
        {
          timeout: 10_000,
        },
      )
      .toBe(200);
  });
});
