/**
 * `timeout` (wall clock) and `idle_timeout` (no output) end an execution as `timed_out` with the
 * kind named; flowing output keeps the idle clock from firing; paused time counts for neither
 * (DESIGN §4 execute, §5).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { groupMembers, sleepMarker } from "./helpers/process-groups.js";
import { eventually, pidsMatching } from "./helpers/processes.js";
import { RpcSocket } from "./helpers/rpc-socket.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

describe("timeouts", () => {
  let server: TestServer;
  let socket: RpcSocket;
  const markers: string[] = [];

  beforeAll(async () => {
    server = await startTestServer({ killGraceMs: 300 });
    socket = await RpcSocket.open(server.wsUrl, { token: server.token });
  });
  afterAll(async () => {
    socket.close();
    await server.stop();
    for (const marker of markers)
      for (const pid of pidsMatching(marker)) process.kill(pid, "SIGKILL");
  });

  function marker(): string {
    const m = sleepMarker();
    markers.push(m);
    return m;
  }

  it("wall timeout: a silent long job ends as timed_out/wall and leaves nothing", async () => {
    const m = marker();
    const { completed } = await socket.run(`sleep ${m} & sleep ${m}`, { timeout: 0.5 });
    expect(completed).toMatchObject({ status: "timed_out", timeout_kind: "wall" });
    expect(await eventually(() => pidsMatching(m).length === 0)).toBe(true);
  });

  it("wall timeout fires even while output flows", async () => {
    const { id, completed } = await socket.run("while :; do echo x; sleep 0.05; done", {
      timeout: 1,
      idle_timeout: 30,
    });
    expect(completed).toMatchObject({ status: "timed_out", timeout_kind: "wall" });
    expect(socket.output(id).length).toBeGreaterThan(0);
  });

  it("idle timeout: output, then silence, ends as timed_out/idle", async () => {
    const m = marker();
    const { id, completed } = await socket.run(`echo hi; sleep ${m}`, { idle_timeout: 0.5 });
    expect(completed).toMatchObject({ status: "timed_out", timeout_kind: "idle" });
    expect(socket.output(id)).toBe("hi\n");
    expect(await eventually(() => pidsMatching(m).length === 0)).toBe(true);
  });

  it("idle timeout does not fire while output keeps flowing", async () => {
    // 6 s of output, a line every 0.1 s, against a 3 s idle limit (wide: the cores are shared).
    const { id, completed } = await socket.run(
      "for i in $(seq 1 60); do echo $i; sleep 0.1; done",
      { idle_timeout: 3 },
    );
    expect(completed).toMatchObject({ status: "completed", exit_code: 0 });
    expect(completed.timeout_kind).toBeUndefined();
    expect(socket.output(id).split("\n").filter(Boolean)).toHaveLength(60);
  });

  it("a timeout kills a group that ignores SIGTERM after the grace", async () => {
    const m = marker();
    // 2 s leaves the shell ample time to set its trap before the timeout's SIGTERM.
    const { completed } = await socket.run(`trap '' TERM; sleep ${m}`, { timeout: 2 });
    expect(completed).toMatchObject({
      status: "timed_out",
      timeout_kind: "wall",
      signal: "SIGKILL",
    });
    expect(await eventually(() => pidsMatching(m).length === 0)).toBe(true);
  });

  it("paused time counts toward neither timeout nor idle_timeout", async () => {
    const started = await socket.result<{ execution_id: string; pgid: number }>("execute", {
      command: "echo start; sleep 1; echo end",
      timeout: 4,
      idle_timeout: 3,
    });
    const id = started.execution_id;
    await socket.notification("process.output", id);
    await socket.result("control", { type: "PAUSE", execution_id: id });
    expect(
      await eventually(() => {
        const members = groupMembers(started.pgid);
        return members.length > 0 && members.every((member) => member.state === "T");
      }),
    ).toBe(true);
    // Hold the pause past both limits: this wait is the test's action, not a synchronisation.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    expect(socket.all("process.completed", id)).toHaveLength(0);
    await socket.result("control", { type: "RESUME", execution_id: id });
    const completed = await socket.notification("process.completed", id);
    expect(completed.params).toMatchObject({ status: "completed", exit_code: 0 });
    expect(Number(completed.params?.duration_ms)).toBeGreaterThan(5000);
    expect(socket.output(id)).toBe("start\nend\n");
  });
});
