/**
 * PAUSE stops the whole process group (SIGSTOP, state T) and its output; RESUME continues it to
 * a normal end; a paused group can still be canceled (DESIGN §4 control, §5).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { groupMembers, sleepMarker } from "./helpers/process-groups.js";
import { eventually, pidsMatching } from "./helpers/processes.js";
import { RpcSocket } from "./helpers/rpc-socket.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

/** Time given to output to stop, and then to prove it stays stopped (absence takes a wait). */
const SETTLE_MS = 1000;
const WATCH_MS = 1500;

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe("pause and resume", () => {
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

  function ticks(id: string): number {
    return socket.output(id).split("\n").filter(Boolean).length;
  }

  /** Every member of the group is stopped (T) or, with `stopped` false, none is. */
  function allStopped(pgid: number, stopped: boolean): boolean {
    const members = groupMembers(pgid);
    return members.length > 0 && members.every((m) => (m.state === "T") === stopped);
  }

  it("stops the group and its output, then resumes it to a normal end", async () => {
    const started = await socket.result<{ execution_id: string; pgid: number }>("execute", {
      command: "for i in $(seq 1 40); do echo tick $i; sleep 0.05; done",
    });
    const id = started.execution_id;
    await socket.waitFor(() => ticks(id) >= 3);

    expect(await socket.result("control", { type: "PAUSE", execution_id: id })).toMatchObject({
      status: "paused",
    });
    await socket.notification("process.paused", id);
    expect(await eventually(() => allStopped(started.pgid, true))).toBe(true);
    await wait(SETTLE_MS);
    await socket.result("server.status"); // the server has handled its pending reads
    const ticksWhenPaused = ticks(id);
    await wait(WATCH_MS);
    expect(ticks(id)).toBe(ticksWhenPaused);
    expect(ticksWhenPaused).toBeLessThan(40);
    const listed = await socket.result<{
      executions: Array<{ execution_id: string; status: string }>;
    }>("executions.list");
    expect(listed.executions.find((e) => e.execution_id === id)?.status).toBe("paused");

    expect(await socket.result("control", { type: "RESUME", execution_id: id })).toMatchObject({
      status: "resumed",
    });
    await socket.notification("process.resumed", id);
    const completed = await socket.notification("process.completed", id);
    expect(completed.params).toMatchObject({ status: "completed", exit_code: 0 });
    const expected = Array.from({ length: 40 }, (_, i) => `tick ${i + 1}\n`).join("");
    expect(socket.output(id)).toBe(expected);
  });

  it("refuses to pause twice, to resume a running one, and to control an ended one", async () => {
    const m = sleepMarker();
    markers.push(m);
    const { execution_id: id } = await socket.result<{ execution_id: string }>("execute", {
      command: `sleep ${m}`,
    });
    expect((await socket.call("control", { type: "RESUME", execution_id: id })).error?.code).toBe(
      -32602,
    );
    await socket.result("control", { type: "PAUSE", execution_id: id });
    expect((await socket.call("control", { type: "PAUSE", execution_id: id })).error?.code).toBe(
      -32602,
    );
    await socket.result("control", { type: "CANCEL", execution_id: id });
    await socket.notification("process.completed", id);
    expect((await socket.call("control", { type: "RESUME", execution_id: id })).error?.code).toBe(
      -32602,
    );
  });

  it("cancels a paused group: it is woken, terminated, and nothing is left", async () => {
    const m = sleepMarker();
    markers.push(m);
    const started = await socket.result<{ execution_id: string; pgid: number }>("execute", {
      command: `sleep ${m} & sleep ${m}; echo not reached`,
    });
    const id = started.execution_id;
    expect(await eventually(() => groupMembers(started.pgid).length >= 2)).toBe(true);
    await socket.result("control", { type: "PAUSE", execution_id: id });
    expect(await eventually(() => allStopped(started.pgid, true))).toBe(true);
    await socket.result("control", { type: "CANCEL", execution_id: id });
    const completed = await socket.notification("process.completed", id);
    expect(completed.params?.status).toBe("canceled");
    // Killed by SIGTERM (after SIGCONT), not left stopped until the SIGKILL.
    expect(completed.params?.signal).toBe("SIGTERM");
    expect(await eventually(() => pidsMatching(m).length === 0)).toBe(true);
  });
});
