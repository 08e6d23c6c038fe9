/**
 * How the supervisor runs and ends a process group (DESIGN §5): stdin closed, cwd and env
 * honoured, cancel and its grace, the drain rule, and no survivors afterwards.
 */
import { readlinkSync, realpathSync, rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sleepersWith, sleepMarker } from "./helpers/process-groups.js";
import { eventually, pidsMatching } from "./helpers/processes.js";
import { type Message, RpcSocket } from "./helpers/rpc-socket.js";
import { startServerProcess } from "./helpers/server-process.js";
import { startTestServer, type TestServer, tempDir } from "./helpers/test-server.js";

const INHERITED = "CCE_PROCESS_CONTROL_INHERITED";

/**
 * The child's stdin is /dev/null (supervisor/process/group-child.ts spawns with stdin "ignore"), not
 * whatever the server has: `readlink` shows it, and `cat` ends at once on its EOF. An open stdin
 * would keep `cat` waiting until the timeout (status timed_out).
 */
async function expectStdinClosed(socket: RpcSocket): Promise<void> {
  const { id, completed } = await socket.run("readlink /proc/self/fd/0; cat", { timeout: 10 });
  expect(completed).toMatchObject({ status: "completed", exit_code: 0 });
  expect(socket.output(id)).toBe("/dev/null\n");
}

describe("process control", () => {
  let server: TestServer;
  let socket: RpcSocket;
  let dir: string;
  const markers: string[] = [];

  beforeAll(async () => {
    process.env[INHERITED] = "from-server";
    server = await startTestServer({ killGraceMs: 300, drainMs: 300 });
    socket = await RpcSocket.open(server.wsUrl, { token: server.token });
    dir = tempDir("cce-cwd-");
  });
  afterAll(async () => {
    delete process.env[INHERITED];
    socket.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
    // Whatever a failed test left behind.
    for (const marker of markers)
      for (const pid of pidsMatching(marker)) process.kill(pid, "SIGKILL");
  });

  function marker(): string {
    const m = sleepMarker();
    markers.push(m);
    return m;
  }

  it("closes stdin: it is /dev/null, and `cat` sees EOF and completes at once with exit 0", async () => {
    await expectStdinClosed(socket);
  });

  it("closes stdin even when the server's own stdin is an open pipe", async () => {
    // Here an inherited stdin would be a pipe nobody writes to or closes: `cat` would block.
    const own = await startServerProcess({}, { stdin: "pipe" });
    let ownSocket: RpcSocket | null = null;
    try {
      expect(readlinkSync(`/proc/${own.pid}/fd/0`)).toMatch(/^(pipe|socket):/);
      ownSocket = await RpcSocket.open(own.wsUrl, { token: own.token });
      await expectStdinClosed(ownSocket);
    } finally {
      ownSocket?.close();
      await own.cleanup();
    }
  });

  it("runs in the requested cwd", async () => {
    const { id, completed } = await socket.run("pwd", { cwd: dir });
    expect(completed.status).toBe("completed");
    expect(socket.output(id)).toBe(`${realpathSync(dir)}\n`);
  });

  it("merges env over the server's, and a null value removes an inherited variable", async () => {
    const command = `echo "x=$CCE_X inherited=\${${INHERITED}-unset}"`;
    const inherited = await socket.run(command, { env: { CCE_X: "hello world" } });
    expect(socket.output(inherited.id)).toBe("x=hello world inherited=from-server\n");
    const removed = await socket.run(command, { env: { CCE_X: "1", [INHERITED]: null } });
    expect(socket.output(removed.id)).toBe("x=1 inherited=unset\n");
  });

  it("answers a missing cwd with a -32602 error and keeps serving", async () => {
    const reply = await socket.call("execute", { command: "pwd", cwd: `${dir}/does/not/exist` });
    expect(reply.error?.code).toBe(-32602);
    expect(reply.error?.message).toContain("does/not/exist");
    const { completed } = await socket.run("echo still here");
    expect(completed.status).toBe("completed");
  });

  it("sends a partial last line without waiting for its newline", async () => {
    const m = marker();
    const { execution_id: id } = await socket.result<{ execution_id: string }>("execute", {
      command: `printf 'prompt> '; sleep ${m}`,
    });
    const output = await socket.notification("process.output", id);
    expect(output.params?.data).toBe("prompt> ");
    await socket.result("control", { type: "CANCEL", execution_id: id });
    await socket.notification("process.completed", id);
  });

  it("cancel ends the whole group: no process left, status canceled, one completion", async () => {
    const m = marker();
    const { execution_id: id } = await socket.result<{ execution_id: string }>("execute", {
      command: `sleep ${m} & sleep ${m}`,
    });
    expect(await eventually(() => sleepersWith(m).length === 2)).toBe(true);
    const reply = await socket.result("control", { type: "CANCEL", execution_id: id });
    expect(reply.status).toBe("canceled");
    const completed = await socket.notification("process.completed", id);
    expect(completed.params?.status).toBe("canceled");
    const canceled = await socket.notification("process.canceled", id);
    expect(socket.messages.indexOf(canceled)).toBeLessThan(socket.messages.indexOf(completed));
    expect(await eventually(() => pidsMatching(m).length === 0)).toBe(true);
    // A second cancel is refused, and no second completion ever follows.
    const again = await socket.call("control", { type: "CANCEL", execution_id: id });
    expect(again.error?.code).toBe(-32602);
    await socket.result("server.status");
    expect(socket.all("process.completed", id)).toHaveLength(1);
  });

  it("cancel mid-stream: output up to the cancel arrives whole, then one completion", async () => {
    const m = marker();
    const { execution_id: id } = await socket.result<{ execution_id: string }>("execute", {
      command: `yes ${m}`,
    });
    await socket.waitFor(() => socket.all("process.output", id).length >= 20);
    await socket.result("control", { type: "CANCEL", execution_id: id });
    const completed = await socket.notification("process.completed", id);
    expect(completed.params?.status).toBe("canceled");
    const outputs = socket.all("process.output", id);
    expect(outputs.map((o) => o.params?.seq)).toEqual(outputs.map((_, i) => i + 1));
    expect(completed.params?.last_seq).toBe(outputs.length);
    const text = socket.output(id);
    expect(Buffer.byteLength(text)).toBe(completed.params?.stdout_bytes);
    expect(
      text
        .split("\n")
        .slice(0, -1)
        .every((line) => line === m),
    ).toBe(true);
    expect(socket.messages.indexOf(completed)).toBeGreaterThan(
      socket.messages.indexOf(outputs.at(-1) as Message),
    );
    expect(await eventually(() => pidsMatching(m).length === 0)).toBe(true);
  });

  it("kills a group that ignores SIGTERM once the grace has passed", async () => {
    const m = marker();
    const { execution_id: id } = await socket.result<{ execution_id: string }>("execute", {
      command: `trap '' TERM; echo ready; sleep ${m}; echo not reached`,
    });
    await socket.waitFor(
      (msg) => msg.method === "process.output" && msg.params?.execution_id === id,
    );
    await socket.result("control", { type: "CANCEL", execution_id: id });
    const completed = await socket.notification("process.completed", id);
    // SIGTERM did not end it; only the SIGKILL after the grace did.
    expect(completed.params).toMatchObject({ status: "canceled", signal: "SIGKILL" });
    expect(socket.output(id)).toBe("ready\n");
    expect(await eventually(() => pidsMatching(m).length === 0)).toBe(true);
  });

  it("drain rule: a descendant holding stdout open does not hold the execution", async () => {
    const m = marker();
    const { id, completed } = await socket.run(`sleep ${m} & echo hi`);
    // Ended by the drain (300 ms), long before the sleep would have.
    expect(completed).toMatchObject({ status: "completed", exit_code: 0, signal: null });
    expect(Number(completed.duration_ms)).toBeLessThan(30_000);
    expect(socket.output(id)).toBe("hi\n");
    expect(await eventually(() => pidsMatching(m).length === 0)).toBe(true);
  });

  it("drain rule: the status comes from the leader's exit code", async () => {
    const m = marker();
    const { completed } = await socket.run(`sleep ${m} & exit 3`);
    expect(completed).toMatchObject({ status: "failed", exit_code: 3 });
    expect(await eventually(() => pidsMatching(m).length === 0)).toBe(true);
  });

  it("sweeps group members that outlived the leader with their output elsewhere", async () => {
    const m = marker();
    const { completed } = await socket.run(`sleep ${m} >/dev/null 2>&1 & echo started`);
    expect(completed.status).toBe("completed");
    expect(await eventually(() => pidsMatching(m).length === 0)).toBe(true);
  });

  it("an execution outlives the connection that started it, and can be re-attached", async () => {
    const m = marker();
    const starter = await RpcSocket.open(server.wsUrl, { token: server.token });
    const { execution_id: id } = await starter.result<{ execution_id: string }>("execute", {
      command: `echo before; sleep ${m}`,
    });
    await starter.notification("process.output", id);
    starter.close();
    await starter.whenClosed();
    expect(await eventually(() => sleepersWith(m).length === 1)).toBe(true);
    await socket.result("subscribe", { execution_id: id, after_seq: 0 });
    await socket.waitFor(
      (msg) => msg.method === "process.output" && msg.params?.execution_id === id,
    );
    expect(socket.output(id)).toBe("before\n");
    await socket.result("control", { type: "CANCEL", execution_id: id });
    expect((await socket.notification("process.completed", id)).params?.status).toBe("canceled");
  });

  it("kill_on_disconnect: closing the connection cancels its execution", async () => {
    const m = marker();
    const starter = await RpcSocket.open(server.wsUrl, { token: server.token });
    const { execution_id: id } = await starter.result<{ execution_id: string }>("execute", {
      command: `sleep ${m} & sleep ${m}`,
      kill_on_disconnect: true,
    });
    expect(await eventually(() => sleepersWith(m).length === 2)).toBe(true);
    starter.close();
    expect(await eventually(() => pidsMatching(m).length === 0)).toBe(true);
    // Another client follows it to its end.
    await socket.result("subscribe", { execution_id: id, after_seq: 0 });
    const completed = await socket.notification("process.completed", id);
    expect(completed.params?.status).toBe("canceled");
  });
});
