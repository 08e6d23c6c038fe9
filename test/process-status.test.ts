/**
 * `process.status` tells a client that a silent execution is still alive (DESIGN §4): sent after
 * `statusIntervalMs` of silence and every interval of silence after, never while output flows.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sleepMarker } from "./helpers/process-groups.js";
import { pidsMatching } from "./helpers/processes.js";
import { type Message, RpcSocket } from "./helpers/rpc-socket.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

// Wide enough that a scheduling stall on two shared cores does not pass for silence.
const STATUS_INTERVAL_MS = 2000;

describe("process.status", () => {
  let server: TestServer;
  let socket: RpcSocket;
  const markers: string[] = [];

  beforeAll(async () => {
    server = await startTestServer({ statusIntervalMs: STATUS_INTERVAL_MS, killGraceMs: 300 });
    socket = await RpcSocket.open(server.wsUrl, { token: server.token });
  });
  afterAll(async () => {
    socket.close();
    await server.stop();
    for (const marker of markers)
      for (const pid of pidsMatching(marker)) process.kill(pid, "SIGKILL");
  });

  it("is sent during silence with pid, pgid, inactive_seconds, message, cpu and rss", async () => {
    const m = sleepMarker();
    markers.push(m);
    const started = await socket.result<{ execution_id: string; pid: number; pgid: number }>(
      "execute",
      { command: `echo begin; sleep ${m}` },
    );
    const id = started.execution_id;
    // Two reports: the second has a CPU figure (it needs a previous sample to compare with).
    await socket.waitFor(() => socket.all("process.status", id).length >= 2);
    const [first, second] = socket.all("process.status", id).map((m) => m.params ?? {});
    for (const status of [first, second]) {
      expect(status).toMatchObject({
        execution_id: id,
        status: "running",
        pid: started.pid,
        pgid: started.pgid,
        message: expect.any(String),
      });
      expect(status?.inactive_seconds).toEqual(expect.any(Number));
      expect(status?.inactive_seconds).toBeGreaterThanOrEqual(0);
      expect(status?.rss_bytes).toBeGreaterThan(0);
      expect(status).toHaveProperty("cpu_percent");
    }
    expect(second?.cpu_percent).toBeGreaterThanOrEqual(0);
    await socket.result("control", { type: "CANCEL", execution_id: id });
    const completed = await socket.notification("process.completed", id);
    const statuses = socket.all("process.status", id).length;
    // Nothing after the end: a round trip later the count is unchanged.
    await socket.result("server.status");
    expect(socket.all("process.status", id)).toHaveLength(statuses);
    const lastStatus = socket.all("process.status", id).at(-1);
    expect(socket.messages.indexOf(completed)).toBeGreaterThan(
      socket.messages.indexOf(lastStatus as Message),
    );
  });

  it("reports how long the silence has lasted", async () => {
    const m = sleepMarker();
    markers.push(m);
    const { execution_id: id } = await socket.result<{ execution_id: string }>("execute", {
      command: `sleep ${m}`,
    });
    // inactive_seconds counts whole seconds of silence, and grows from one report to the next.
    await socket.waitFor(() => socket.all("process.status", id).length >= 2);
    const seconds = socket.all("process.status", id).map((s) => Number(s.params?.inactive_seconds));
    expect(seconds[0]).toBeGreaterThanOrEqual(STATUS_INTERVAL_MS / 1000 - 1);
    expect(seconds[1]).toBeGreaterThan(seconds[0] as number);
    await socket.result("control", { type: "CANCEL", execution_id: id });
    await socket.notification("process.completed", id);
  });

  it("is not sent while output flows", async () => {
    // A line every 50 ms for about 5 s: never 2 s of silence.
    const { id, completed } = await socket.run(
      "for i in $(seq 1 100); do echo $i; sleep 0.05; done",
    );
    expect(completed.status).toBe("completed");
    expect(socket.all("process.output", id).length).toBeGreaterThan(1);
    expect(socket.all("process.status", id)).toHaveLength(0);
  });
});
