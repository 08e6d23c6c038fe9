/**
 * Liveness versus slowness: a client that reads slowly has its pong queued behind megabytes of
 * output sent before our ping, so a pong-only check would drop it although it is reading. The
 * server counts output draining to a backed-up peer as proof of life (DESIGN §4, §5): the slow
 * reader keeps its connection and receives everything; a peer that reads nothing is dropped.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { eventually } from "./helpers/processes.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

// Long enough that a loaded machine's bursty socket draining stays within the patience.
const INTERVAL_MS = 1000;
const TOTAL_BYTES = 12 * 1024 * 1024;
const READ_BYTES_PER_SECOND = 1.2 * 1024 * 1024;
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ heartbeatIntervalMs: INTERVAL_MS });
});
afterAll(async () => {
  await server.stop();
});

function open(): Promise<WebSocket> {
  const ws = new WebSocket(server.wsUrl, { headers: { authorization: `Bearer ${server.token}` } });
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

describe("heartbeat liveness with a slow reader", () => {
  it("keeps a client that reads slowly, through many heartbeat intervals, and loses no byte", async () => {
    const ws = await open();
    const startedMs = performance.now();
    let received = 0;
    const hash = createHash("sha256");
    let closeCode: number | null = null;
    // One resume timer at a time: several messages can arrive in one socket read, and an
    // earlier, shorter timer would resume the socket before the reader is back on pace.
    let resumeTimer: NodeJS.Timeout | undefined;
    ws.on("close", (code) => {
      closeCode = code;
    });
    const completed = new Promise<Record<string, unknown>>((resolve, reject) => {
      ws.on("close", () => reject(new Error("connection dropped")));
      ws.on("message", (data) => {
        const message = JSON.parse(data.toString());
        if (message.method === "process.output") {
          const bytes = Buffer.from(message.params.data);
          received += bytes.length;
          hash.update(bytes);
          // Read no faster than READ_BYTES_PER_SECOND: pause the socket when ahead.
          const aheadMs =
            (received / READ_BYTES_PER_SECOND) * 1000 - (performance.now() - startedMs);
          if (aheadMs > 10) {
            ws.pause();
            clearTimeout(resumeTimer);
            resumeTimer = setTimeout(() => ws.resume(), aheadMs);
          }
        } else if (message.method === "process.completed") {
          resolve(message.params);
        }
      });
    });
    const line = "x".repeat(59);
    ws.send(
      JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "execute",
        params: { command: `yes ${line} | head -c ${TOTAL_BYTES}` },
      }),
    );
    try {
      const params = await completed;
      const seconds = (performance.now() - startedMs) / 1000;
      expect(params.status).toBe("completed");
      expect(received).toBe(TOTAL_BYTES);
      const expected = createHash("sha256").update(
        `${line}\n`.repeat(TOTAL_BYTES / 60 + 1).slice(0, TOTAL_BYTES),
      );
      expect(hash.digest("hex")).toBe(expected.digest("hex"));
      // It really was slow: many heartbeat intervals passed while the backlog drained.
      expect(seconds * 1000).toBeGreaterThan(7 * INTERVAL_MS);
      expect(closeCode).toBeNull();
    } finally {
      clearTimeout(resumeTimer);
      ws.close();
    }
  });

  it("still drops a backed-up client that reads nothing at all", async () => {
    const earlier = new Set(server.context.connections);
    const ws = await open();
    const mine = [...server.context.connections].find((connection) => !earlier.has(connection));
    if (!mine) throw new Error("the server has no connection for this client");
    ws.on("message", () => {});
    ws.send(
      JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "execute",
        params: { command: `yes ${"y".repeat(59)} | head -c ${TOTAL_BYTES}` },
      }),
    );
    // Stop reading entirely: nothing drains, no pong comes back. The server drops the
    // connection (its end is gone), though this paused client cannot read that news.
    (ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const dropped = await eventually(() => !server.context.connections.has(mine), 30_000);
    ws.terminate();
    expect(dropped).toBe(true);
  });
});
