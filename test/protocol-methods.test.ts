/**
 * Every method of the dispatch table over a real socket against a real server (DESIGN §4):
 * execute (and its params), control, subscribe/unsubscribe, hook_status, pong, executions.list,
 * server.status — with the notifications each one produces, in the order the protocol promises.
 */

import { readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { LocalEngine } from "../src/engine/local-engine.js";
import { VERSION } from "../src/protocol/version.js";
import { eventually } from "./helpers/processes.js";
import { RpcSocket } from "./helpers/rpc-socket.js";
import { startTestServer, type TestServer, tempDir } from "./helpers/test-server.js";

let server: TestServer;
let scratch: string;
const sockets: RpcSocket[] = [];

beforeAll(async () => {
  server = await startTestServer();
  scratch = tempDir("cce-methods-");
});
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close();
});
afterAll(async () => {
  await server.stop();
  rmSync(scratch, { recursive: true, force: true });
});

async function open(): Promise<RpcSocket> {
  const socket = await RpcSocket.open(server.wsUrl, { token: server.token });
  sockets.push(socket);
  await socket.notification("connected");
  return socket;
}

let flagCount = 0;
/** A path the child waits for: the test creates it to let the child go on (no timing guesses). */
function flag(): string {
  return join(scratch, `flag-${++flagCount}`);
}
const waitFor = (path: string) => `while [ ! -e ${path} ]; do sleep 0.02; done`;
const release = (path: string) => writeFileSync(path, "");

/** Resolves once every frame the server sent before this round trip has arrived. */
async function barrier(socket: RpcSocket): Promise<void> {
  await socket.result("server.status");
}

function procState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
}

describe("execute", () => {
  it("answers started with pid/pgid, then process.started, output, one process.completed", async () => {
    const socket = await open();
    const reply = await socket.call("execute", { command: "echo hello" });
    expect(reply.result).toEqual({
      status: "started",
      execution_id: expect.any(String),
      pid: expect.any(Number),
      pgid: expect.any(Number),
    });
    const result = reply.result as { execution_id: string; pid: number; pgid: number };
    expect(result.pid).toBeGreaterThan(0);
    expect(result.pgid).toBe(result.pid);
    const completed = await socket.notification("process.completed", result.execution_id);
    const started = socket.all("process.started", result.execution_id);
    expect(started).toHaveLength(1);
    expect(started[0]?.params).toEqual({
      execution_id: result.execution_id,
      pid: result.pid,
      pgid: result.pid,
      worker_id: "local",
    });
    // The reply comes before process.started, which comes before any output.
    const index = (m: unknown) => socket.messages.indexOf(m as never);
    expect(index(reply)).toBeLessThan(index(started[0]));
    const output = socket.all("process.output", result.execution_id);
    expect(output[0]?.params).toEqual({
      execution_id: result.execution_id,
      seq: 1,
      type: "stdout",
      data: "hello\n",
      truncated: false,
      chunk_index: 0,
      total_chunks: 1,
    });
    expect(index(started[0])).toBeLessThan(index(output[0]));
    expect(completed.params).toEqual({
      execution_id: result.execution_id,
      status: "completed",
      exit_code: 0,
      signal: null,
      execution_time: expect.any(Number),
      duration_ms: expect.any(Number),
      last_seq: 1,
      stdout_bytes: 6,
      stderr_bytes: 0,
      worker_id: "local",
    });
    await barrier(socket);
    expect(socket.all("process.completed", result.execution_id)).toHaveLength(1);
  });

  it("uses a client-chosen execution_id", async () => {
    const socket = await open();
    const { id, completed } = await socket.run("true", { execution_id: "my-job.1:a_b" });
    expect(id).toBe("my-job.1:a_b");
    expect(completed.status).toBe("completed");
  });

  it("runs in cwd with env merged over the server env (null removes a variable)", async () => {
    const socket = await open();
    const { id, completed } = await socket.run(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax, not a template
      'pwd; echo "foo=$FOO"; echo "home=${HOME-unset}"; echo "id=$CC_EXECUTOR_EXECUTION_ID"',
      { cwd: scratch, env: { FOO: "bar baz", HOME: null } },
    );
    expect(completed.status).toBe("completed");
    expect(socket.output(id)).toBe(`${realpathSync(scratch)}\nfoo=bar baz\nhome=unset\nid=${id}\n`);
  });

  it("timeout (seconds, wall clock) ends the run as timed_out/wall", async () => {
    const socket = await open();
    const { completed } = await socket.run("sleep 30", { timeout: 0.3 });
    expect(completed).toMatchObject({ status: "timed_out", timeout_kind: "wall" });
  });

  it("idle_timeout (seconds without output) ends the run as timed_out/idle", async () => {
    const socket = await open();
    const { id, completed } = await socket.run("echo first; sleep 30", { idle_timeout: 0.3 });
    expect(completed).toMatchObject({ status: "timed_out", timeout_kind: "idle" });
    expect(socket.output(id)).toBe("first\n");
  });

  it('output_encoding "base64" delivers raw bytes and marks each chunk', async () => {
    const socket = await open();
    const { id } = await socket.run("printf '\\000\\377ok\\n'", { output_encoding: "base64" });
    const outputs = socket.all("process.output", id);
    expect(outputs.length).toBeGreaterThan(0);
    for (const output of outputs) expect(output.params?.encoding).toBe("base64");
    const bytes = Buffer.concat(outputs.map((m) => Buffer.from(String(m.params?.data), "base64")));
    expect([...bytes]).toEqual([0, 255, 0x6f, 0x6b, 0x0a]);
  });

  it("an execution outlives its connection unless kill_on_disconnect is set", async () => {
    const owner = await open();
    const watcher = await open();
    const kept = await owner.result<{ execution_id: string }>("execute", { command: "sleep 30" });
    const killed = await owner.result<{ execution_id: string }>("execute", {
      command: "sleep 30",
      kill_on_disconnect: true,
    });
    await watcher.result("subscribe", { execution_id: kept.execution_id });
    await watcher.result("subscribe", { execution_id: killed.execution_id });
    owner.close();
    const completed = await watcher.notification("process.completed", killed.execution_id);
    expect(completed.params?.status).toBe("canceled");
    const list = await watcher.result<{ executions: Array<{ execution_id: string }> }>(
      "executions.list",
      { status: "running" },
    );
    expect(list.executions.map((e) => e.execution_id)).toContain(kept.execution_id);
    await watcher.result("control", { type: "CANCEL", execution_id: kept.execution_id });
    const keptDone = await watcher.notification("process.completed", kept.execution_id);
    expect(keptDone.params?.status).toBe("canceled");
  });
});

describe("seq", () => {
  it("rises by one per notification of an execution, across stdout and stderr", async () => {
    const socket = await open();
    const { id, completed } = await socket.run(
      "for i in $(seq 1 15); do echo out$i; echo err$i >&2; sleep 0.01; done",
    );
    const seqs = socket.all("process.output", id).map((m) => m.params?.seq);
    expect(seqs.length).toBeGreaterThan(1);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(completed.last_seq).toBe(seqs.length);
    expect(socket.output(id)).toBe(Array.from({ length: 15 }, (_, i) => `out${i + 1}\n`).join(""));
    expect(socket.output(id, "stderr")).toBe(
      Array.from({ length: 15 }, (_, i) => `err${i + 1}\n`).join(""),
    );
  });
});

describe("control", () => {
  it("PAUSE, RESUME and CANCEL a named execution, each with its notification", async () => {
    const socket = await open();
    const { execution_id: id, pid } = await socket.result<{ execution_id: string; pid: number }>(
      "execute",
      { command: "sleep 30" },
    );
    await socket.notification("process.started", id);

    expect(await socket.result("control", { type: "PAUSE", execution_id: id })).toEqual({
      status: "paused",
      execution_id: id,
    });
    await socket.notification("process.paused", id);
    // SIGSTOP takes effect when the kernel next schedules the group: wait for the state.
    expect(await eventually(() => procState(pid) === "T")).toBe(true);
    const paused = await socket.result<{ executions: Array<{ status: string }> }>(
      "executions.list",
      { status: "paused" },
    );
    expect(paused.executions).toHaveLength(1);

    expect(await socket.result("control", { type: "RESUME", execution_id: id })).toEqual({
      status: "resumed",
      execution_id: id,
    });
    await socket.notification("process.resumed", id);
    expect(await eventually(() => procState(pid) !== "T")).toBe(true);

    expect(await socket.result("control", { type: "CANCEL", execution_id: id })).toEqual({
      status: "canceled",
      execution_id: id,
    });
    await socket.notification("process.canceled", id);
    const completed = await socket.notification("process.completed", id);
    expect(completed.params).toMatchObject({ status: "canceled", signal: "SIGTERM" });
    await barrier(socket);
    expect(socket.all("process.completed", id)).toHaveLength(1);
  });

  it("without execution_id targets the connection's only execution; type is case-insensitive", async () => {
    const socket = await open();
    const { execution_id: id } = await socket.result<{ execution_id: string }>("execute", {
      command: "sleep 30",
    });
    expect(await socket.result("control", { type: "pause" })).toEqual({
      status: "paused",
      execution_id: id,
    });
    expect(await socket.result("control", { type: "Resume" })).toEqual({
      status: "resumed",
      execution_id: id,
    });
    expect(await socket.result("control", { type: "cancel" })).toEqual({
      status: "canceled",
      execution_id: id,
    });
    expect((await socket.notification("process.completed", id)).params?.status).toBe("canceled");
  });

  it("cancels a queued execution: process.canceled and process.completed, never process.started", async () => {
    const busy = await startTestServer({ maxConcurrent: 1 });
    const socket = await RpcSocket.open(busy.wsUrl, { token: busy.token });
    try {
      const first = await socket.result<{ execution_id: string }>("execute", {
        command: "sleep 30",
      });
      const queued = await socket.result<{ execution_id: string; status: string }>("execute", {
        command: "echo never",
      });
      expect(queued.status).toBe("queued");
      await socket.result("control", { type: "CANCEL", execution_id: queued.execution_id });
      const completed = await socket.notification("process.completed", queued.execution_id);
      expect(completed.params).toMatchObject({ status: "canceled", exit_code: null, last_seq: 0 });
      expect(socket.all("process.canceled", queued.execution_id)).toHaveLength(1);
      expect(socket.all("process.started", queued.execution_id)).toHaveLength(0);
      await socket.result("control", { type: "CANCEL", execution_id: first.execution_id });
      await socket.notification("process.completed", first.execution_id);
    } finally {
      socket.close();
      await busy.stop();
    }
  });
});

describe("subscribe / unsubscribe", () => {
  it("replays an ended execution after a seq, then sends its one process.completed", async () => {
    const owner = await open();
    const { id, completed } = await owner.run(
      "for i in 1 2 3 4 5 6; do echo line$i; sleep 0.02; done",
    );
    const original = owner.all("process.output", id).map((m) => m.params);
    expect(original.length).toBeGreaterThanOrEqual(3);

    const late = await open();
    const result = await late.result("subscribe", { execution_id: id, after_seq: 2 });
    expect(result).toEqual({
      execution_id: id,
      status: "completed",
      last_seq: completed.last_seq,
      first_available_seq: 1,
    });
    const lateCompleted = await late.notification("process.completed", id);
    expect(lateCompleted.params).toEqual(completed);
    expect(late.all("process.output", id).map((m) => m.params)).toEqual(original.slice(2));
    // after_seq > 0 is a resume: no second process.started.
    expect(late.all("process.started", id)).toHaveLength(0);
    await barrier(late);
    expect(late.all("process.completed", id)).toHaveLength(1);
  });

  it("after_seq defaults to 0: the whole run is replayed, process.started first", async () => {
    const owner = await open();
    const { id, completed } = await owner.run("echo a; echo b >&2; exit 4");
    const late = await open();
    await late.result("subscribe", { execution_id: id });
    await late.notification("process.completed", id);
    const methods = late.messages.filter((m) => m.params?.execution_id === id).map((m) => m.method);
    expect(methods[0]).toBe("process.started");
    expect(methods.at(-1)).toBe("process.completed");
    expect(late.output(id)).toBe("a\n");
    expect(late.output(id, "stderr")).toBe("b\n");
    expect(late.all("process.completed", id)[0]?.params).toEqual(completed);
    expect(completed.status).toBe("failed");
  });

  it("attaches to a running execution: backlog, then live output, then completed", async () => {
    const owner = await open();
    const go = flag();
    const { execution_id: id } = await owner.result<{ execution_id: string }>("execute", {
      command: `echo first; ${waitFor(go)}; echo second`,
    });
    await owner.waitFor((m) => m.method === "process.output" && m.params?.execution_id === id);

    const watcher = await open();
    const result = await watcher.result<{ status: string; last_seq: number }>("subscribe", {
      execution_id: id,
    });
    expect(result.status).toBe("running");
    expect(result.last_seq).toBe(1);
    await watcher.waitFor((m) => m.method === "process.output" && m.params?.data === "first\n");
    release(go);
    await watcher.notification("process.completed", id);
    expect(watcher.output(id)).toBe("first\nsecond\n");
    expect(watcher.all("process.output", id).map((m) => m.params)).toEqual(
      owner.all("process.output", id).map((m) => m.params),
    );
  });

  it("unsubscribe stops delivery to that connection only", async () => {
    const owner = await open();
    const go = flag();
    const { execution_id: id } = await owner.result<{ execution_id: string }>("execute", {
      command: `${waitFor(go)}; echo done`,
    });
    const watcher = await open();
    await watcher.result("subscribe", { execution_id: id });
    await watcher.notification("process.started", id);
    expect(await watcher.result("unsubscribe", { execution_id: id })).toEqual({
      execution_id: id,
      unsubscribed: true,
    });
    expect(await watcher.result("unsubscribe", { execution_id: id })).toEqual({
      execution_id: id,
      unsubscribed: false,
    });
    release(go);
    await owner.notification("process.completed", id);
    await barrier(watcher);
    expect(watcher.all("process.output", id)).toHaveLength(0);
    expect(watcher.all("process.completed", id)).toHaveLength(0);
  });
});

describe("hook_status, pong, executions.list, server.status", () => {
  it("hook_status lists the built-in hooks (none configured) and their results", async () => {
    const socket = await open();
    const status = await socket.result<{ hooks: Array<{ name: string }>; recent: unknown[] }>(
      "hook_status",
    );
    expect(status.hooks.map((hook) => hook.name)).toEqual([
      "builtin:venv",
      "builtin:metrics",
      "builtin:uuid-check",
    ]);
    expect(status.recent).toEqual([]);
    expect(await socket.result("hook_status", {})).toMatchObject({ metrics: expect.any(Object) });
  });

  it("pong as a notification gets no reply; as a request it is answered", async () => {
    const socket = await open();
    const before = socket.messages.length;
    socket.sendRaw(JSON.stringify({ jsonrpc: "2.0", method: "pong", params: { anything: 1 } }));
    socket.sendRaw(JSON.stringify({ jsonrpc: "2.0", method: "pong" }));
    const status = await socket.call("server.status");
    // Requests are handled in order: any reply to the pongs would have come first.
    const after = socket.messages.slice(before).filter((m) => m.method !== "heartbeat");
    expect(after).toEqual([status]);
    expect(await socket.result("pong", "whatever")).toEqual({ status: "ok" });
  });

  it("executions.list filters by status (one or several) and limits, newest first", async () => {
    const isolated = await startTestServer();
    const socket = await RpcSocket.open(isolated.wsUrl, { token: isolated.token });
    try {
      const ok = await socket.run("true");
      const bad = await socket.run("exit 2");
      const newest = await socket.run("true");
      const running = await socket.result<{ execution_id: string }>("execute", {
        command: "sleep 30",
      });
      type List = { executions: Array<Record<string, unknown>> };
      const all = await socket.result<List>("executions.list");
      expect(all.executions.map((e) => e.execution_id)).toEqual([
        running.execution_id,
        newest.id,
        bad.id,
        ok.id,
      ]);
      expect(all.executions[2]).toEqual({
        execution_id: bad.id,
        kind: "command",
        command: "exit 2",
        status: "failed",
        pid: expect.any(Number),
        pgid: expect.any(Number),
        cwd: process.cwd(),
        submitted_at: expect.any(String),
        started_at: expect.any(String),
        ended_at: expect.any(String),
        exit_code: 2,
        signal: null,
        last_seq: 0,
        stdout_bytes: 0,
        stderr_bytes: 0,
        session_id: expect.any(String),
        worker_id: "local",
      });
      const completed = await socket.result<List>("executions.list", { status: "completed" });
      expect(completed.executions.map((e) => e.execution_id)).toEqual([newest.id, ok.id]);
      const several = await socket.result<List>("executions.list", {
        status: ["failed", "running"],
      });
      expect(several.executions.map((e) => e.execution_id)).toEqual([running.execution_id, bad.id]);
      const limited = await socket.result<List>("executions.list", { limit: 2 });
      expect(limited.executions.map((e) => e.execution_id)).toEqual([
        running.execution_id,
        newest.id,
      ]);
      await socket.result("control", { type: "CANCEL" });
      await socket.notification("process.completed", running.execution_id);
    } finally {
      socket.close();
      await isolated.stop();
    }
  });

  it("server.status reports version, pid, connections, counts, limits and auth", async () => {
    const socket = await open();
    const status = await socket.result<Record<string, unknown>>("server.status");
    expect(status).toEqual({
      version: VERSION,
      pid: process.pid,
      uptime_seconds: expect.any(Number),
      connections: server.context.connections.size,
      executions: { running: expect.any(Number), queued: 0, retained: expect.any(Number) },
      limits: {
        max_sessions: server.settings.maxSessions,
        max_concurrent: server.settings.maxConcurrent,
        max_per_connection: server.settings.maxPerConnection,
        max_queue: server.settings.maxQueue,
      },
      rss_bytes: expect.any(Number),
      auth: "token",
      workers: [],
    });
    expect(await socket.result("server.status", {})).toMatchObject({ version: VERSION });
    expect(await socket.result("server.status", [])).toMatchObject({ version: VERSION });
  });
});

describe("notifications without a method of their own", () => {
  it("process.status reports a silent execution every statusIntervalMs", async () => {
    const quiet = await startTestServer({ statusIntervalMs: 300 });
    const socket = await RpcSocket.open(quiet.wsUrl, { token: quiet.token });
    try {
      const { execution_id: id, pid } = await socket.result<{ execution_id: string; pid: number }>(
        "execute",
        { command: "sleep 30" },
      );
      const status = await socket.notification("process.status", id);
      expect(status.params).toEqual({
        execution_id: id,
        status: "running",
        pid,
        pgid: pid,
        inactive_seconds: expect.any(Number),
        message: expect.stringContaining("no output"),
        cpu_percent: expect.toSatisfy((v) => v === null || typeof v === "number"),
        rss_bytes: expect.toSatisfy((v) => v === null || typeof v === "number"),
      });
      await socket.result("control", { type: "CANCEL" });
      await socket.notification("process.completed", id);
    } finally {
      socket.close();
      await quiet.stop();
    }
  });

  it("process.error and a failed process.completed when the process cannot be spawned", async () => {
    const broken = await startTestServer();
    (broken.context.engine as LocalEngine).parts.shellPath = "/nonexistent/shell";
    const socket = await RpcSocket.open(broken.wsUrl, { token: broken.token });
    try {
      const reply = await socket.result<Record<string, unknown>>("execute", { command: "true" });
      const id = reply.execution_id as string;
      expect(reply).toEqual({ status: "started", execution_id: id, pid: -1, pgid: -1 });
      const error = await socket.notification("process.error", id);
      expect(error.params).toEqual({ execution_id: id, error: expect.stringContaining("ENOENT") });
      const completed = await socket.notification("process.completed", id);
      expect(completed.params).toMatchObject({
        status: "failed",
        exit_code: null,
        error: expect.stringContaining("could not start"),
      });
      expect(socket.all("process.started", id)).toHaveLength(0);
    } finally {
      socket.close();
      await broken.stop();
    }
  });

  it("server.shutdown, then each execution completes as interrupted, then close 1001", async () => {
    const stopping = await startTestServer();
    const socket = await RpcSocket.open(stopping.wsUrl, { token: stopping.token });
    let closing: Promise<void> | null = null;
    try {
      const { execution_id: id } = await socket.result<{ execution_id: string }>("execute", {
        command: "sleep 30",
      });
      await socket.notification("process.started", id);
      closing = stopping.stop();
      const shutdown = await socket.notification("server.shutdown");
      expect(shutdown.params).toEqual({ reason: "test finished" });
      const completed = await socket.notification("process.completed", id);
      expect(completed.params?.status).toBe("interrupted");
      expect(await socket.whenClosed()).toBe(1001);
      expect(socket.messages.indexOf(shutdown)).toBeLessThan(socket.messages.indexOf(completed));
    } finally {
      socket.close();
      await (closing ?? stopping.stop());
    }
  });
});

describe("replay past the spool cap", () => {
  it("keeps the head and the tail; the dropped middle is reported once as process.gap", async () => {
    const capped = await startTestServer({
      spoolCapBytes: 256 * 1024,
      spoolSegmentBytes: 32 * 1024,
      maxBufferBytes: 64 * 1024,
    });
    const owner = await RpcSocket.open(capped.wsUrl, { token: capped.token });
    const late = await RpcSocket.open(capped.wsUrl, { token: capped.token });
    try {
      const { id, completed } = await owner.run("seq 1 300000");
      const original = owner.all("process.output", id).map((m) => m.params);
      const lastSeq = completed.last_seq as number;
      expect(original).toHaveLength(lastSeq);

      const result = await late.result("subscribe", { execution_id: id });
      expect(result).toMatchObject({ last_seq: lastSeq, first_available_seq: 1 });
      await late.notification("process.completed", id);
      const gaps = late.all("process.gap", id).map((m) => m.params);
      expect(gaps).toHaveLength(1);
      const gap = gaps[0] as { from_seq: number; to_seq: number };
      expect(gap.from_seq).toBeGreaterThan(1);
      expect(gap.to_seq).toBeLessThan(lastSeq);
      const replayed = late.all("process.output", id).map((m) => m.params);
      const kept = original.filter((p) => {
        const seq = p?.seq as number;
        return seq < gap.from_seq || seq > gap.to_seq;
      });
      // Output replayed from disk is what was sent live, down to how each read was split.
      expect(replayed).toEqual(kept);
      expect(late.all("process.completed", id)).toHaveLength(1);
    } finally {
      owner.close();
      late.close();
      await capped.stop();
    }
  });
});
