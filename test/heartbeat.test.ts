/**
 * Heartbeats and liveness (DESIGN §4): every heartbeatIntervalMs the client gets a `heartbeat`
 * notification and a WebSocket ping; a peer that stops answering pings is terminated — its TCP
 * socket dropped, never a close frame with the illegal code 1006 (the original's bug).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "./helpers/processes.js";
import { RpcSocket } from "./helpers/rpc-socket.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

// Short enough for a quick test, long enough that a loaded machine still answers pings in time.
const INTERVAL_MS = 400;
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ heartbeatIntervalMs: INTERVAL_MS });
});
afterAll(async () => {
  await server.stop();
});

describe("heartbeat", () => {
  it("sends heartbeat {timestamp, session_id, status} and pings; a live peer stays connected", async () => {
    const socket = await RpcSocket.open(server.wsUrl, { token: server.token });
    try {
      let pings = 0;
      socket.ws.on("ping", () => {
        pings++;
      });
      const connected = await socket.notification("connected");
      const before = Date.now() / 1000;
      // Four beats: the peer answered the pings in between (ws answers them by itself).
      for (let beat = 1; beat <= 4; beat++) {
        await socket.waitFor(
          (m) => m.method === "heartbeat" && socket.all("heartbeat").length >= beat,
        );
      }
      const heartbeats = socket.all("heartbeat");
      for (const heartbeat of heartbeats) {
        expect(heartbeat).toEqual({
          jsonrpc: "2.0",
          method: "heartbeat",
          params: {
            timestamp: expect.any(Number),
            session_id: connected.params?.session_id,
            status: "alive",
          },
        });
      }
      const timestamp = heartbeats[0]?.params?.timestamp as number;
      expect(timestamp).toBeGreaterThanOrEqual(before - 1);
      expect(timestamp).toBeLessThanOrEqual(Date.now() / 1000 + 1);
      expect(pings).toBeGreaterThanOrEqual(3);
      expect(socket.closeCode).toBeNull();
      const { completed } = await socket.run("echo alive");
      expect(completed.status).toBe("completed");
    } finally {
      socket.close();
    }
  });

  it("terminates a peer that stops answering pings, without a close frame; others keep working", async () => {
    const healthy = await RpcSocket.open(server.wsUrl, { token: server.token });
    const silent = await RpcSocket.open(server.wsUrl, { token: server.token });
    try {
      await healthy.notification("connected");
      const connected = await silent.notification("connected");
      const sessionId = connected.params?.session_id;
      const isConnected = () =>
        [...server.context.connections].some((c) => c.sessionId === sessionId);
      expect(isConnected()).toBe(true);

      // Stop reading: pings go unanswered, as with a peer that vanished without a FIN.
      silent.ws.pause();
      expect(await eventually(() => !isConnected(), 30_000)).toBe(true);

      silent.ws.resume();
      const code = await silent.whenClosed();
      // 1006 on the client means "no close frame arrived": the server terminated the socket.
      // A server that sent a close frame with code 1006 would make ws fail with 1002 instead.
      expect(code).toBe(1006);
      expect((silent.ws as unknown as { _closeFrameReceived: boolean })._closeFrameReceived).toBe(
        false,
      );

      const { completed } = await healthy.run("echo still-here");
      expect(completed.status).toBe("completed");
      expect(healthy.closeCode).toBeNull();
    } finally {
      healthy.close();
      silent.close();
    }
  });
});
