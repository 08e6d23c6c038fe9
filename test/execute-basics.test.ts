import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RpcSocket } from "./helpers/rpc-socket.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

describe("execute basics", () => {
  let server: TestServer;
  let socket: RpcSocket;

  beforeAll(async () => {
    server = await startTestServer();
    socket = await RpcSocket.open(server.wsUrl, { token: server.token });
  });
  afterAll(async () => {
    socket.close();
    await server.stop();
  });

  it("sends connected first, with session id, version and capabilities", async () => {
    const connected = await socket.notification("connected");
    expect(socket.messages[0]).toBe(connected);
    expect(connected.params).toMatchObject({
      version: expect.any(String),
      session_id: expect.any(String),
    });
    expect(connected.params?.capabilities).toContain("execute");
  });

  it("runs a command: reply, started, output in seq order, one completed", async () => {
    const { id, completed } = await socket.run("echo one; echo two >&2; exit 3");
    const notifications = socket.messages.filter((m) => m.params?.execution_id === id);
    expect(notifications.map((m) => m.method ?? "reply")[0]).toBe("process.started");
    const seqs = socket.all("process.output", id).map((m) => m.params?.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(socket.output(id)).toBe("one\n");
    expect(socket.output(id, "stderr")).toBe("two\n");
    expect(completed).toMatchObject({
      status: "failed",
      exit_code: 3,
      signal: null,
      stdout_bytes: 4,
      stderr_bytes: 4,
    });
    expect(socket.all("process.completed", id)).toHaveLength(1);
  });
});
