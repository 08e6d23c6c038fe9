/**
 * `executeBatch` against a real server: strictly one task after another (proved by what the
 * tasks themselves write), per-task timeouts, the summary, stopOnFailure, a task the server
 * refuses, abort, and many quick tasks on one connection with no restart in between.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CcExecutorClient, connect } from "../src/client/node.js";
import { startTestServer, type TestServer, tempDir } from "./helpers/test-server.js";

describe("client executeBatch", () => {
  let server: TestServer;
  let client: CcExecutorClient;
  let workDir: string;

  beforeAll(async () => {
    server = await startTestServer();
    client = await connect({ url: server.wsUrl, token: server.token });
    workDir = tempDir("cce-batch-");
  });
  afterAll(async () => {
    client?.close();
    await server?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  it("runs tasks strictly in order: each starts after the previous one ended", async () => {
    const journal = join(workDir, "order.log");
    // Each task writes its start, lingers, writes its end; an overlap would interleave lines.
    const task = (n: number) =>
      `echo "start ${n}" >> '${journal}'; sleep 0.1; echo "end ${n}" >> '${journal}'`;
    const starts: number[] = [];
    const ends: number[] = [];
    const summary = await client.executeBatch([task(1), task(2), task(3), task(4), task(5)], {
      onTaskStart: (index) => starts.push(index),
      onTaskEnd: (index, _task, result) => {
        ends.push(index);
        expect(result.success).toBe(true);
      },
    });
    const expected = [1, 2, 3, 4, 5].flatMap((n) => [`start ${n}`, `end ${n}`]);
    expect(readFileSync(journal, "utf8").trim().split("\n")).toEqual(expected);
    expect(starts).toEqual([0, 1, 2, 3, 4]);
    expect(ends).toEqual([0, 1, 2, 3, 4]);
    expect(summary).toMatchObject({ total: 5, succeeded: 5, failed: 0, skipped: 0 });
    // Distinct executions, each a fresh process.
    expect(new Set(summary.results.map((r) => r.executionId)).size).toBe(5);
  });

  it("per-task timeoutMs; the summary counts, names and keeps every result", async () => {
    const summary = await client.executeBatch(
      [
        { name: "greet", command: "echo hello" },
        { name: "too slow", command: "echo begun; sleep 30", timeoutMs: 500 },
        { name: "fails", command: "echo oops >&2; exit 4" },
        "echo unnamed",
        { name: "idle", command: "echo once; sleep 30", idleTimeoutMs: 400 },
      ],
      { taskTimeoutMs: 20_000 },
    );
    expect(summary).toMatchObject({ total: 5, succeeded: 2, failed: 3, skipped: 0 });
    expect(summary.results.map((r) => r.name)).toEqual([
      "greet",
      "too slow",
      "fails",
      "task 4",
      "idle",
    ]);
    const [greet, slow, fails, unnamed, idle] = summary.results;
    expect(greet).toMatchObject({ success: true, stdout: "hello\n", exitCode: 0 });
    expect(slow).toMatchObject({ status: "timed_out", timeoutKind: "wall", stdout: "begun\n" });
    expect(slow?.durationMs).toBeLessThan(15_000);
    expect(fails).toMatchObject({ status: "failed", exitCode: 4, stderr: "oops\n" });
    expect(unnamed).toMatchObject({ success: true, stdout: "unnamed\n" });
    expect(idle).toMatchObject({ status: "timed_out", timeoutKind: "idle" });
    expect(summary.durationMs).toBeGreaterThan(0);
  });

  it("taskTimeoutMs applies to tasks that set no timeout of their own", async () => {
    const summary = await client.executeBatch(["sleep 30", "echo after"], { taskTimeoutMs: 400 });
    expect(summary.results[0]).toMatchObject({ status: "timed_out", timeoutKind: "wall" });
    expect(summary.results[1]).toMatchObject({ status: "completed", stdout: "after\n" });
  });

  it("stopOnFailure: the first failure ends the batch; the rest are skipped", async () => {
    const journal = join(workDir, "stop.log");
    const summary = await client.executeBatch(
      [
        `echo 1 >> '${journal}'`,
        { name: "breaks", command: `echo 2 >> '${journal}'; exit 1` },
        `echo 3 >> '${journal}'`,
        `echo 4 >> '${journal}'`,
      ],
      { stopOnFailure: true },
    );
    expect(summary).toMatchObject({ total: 4, succeeded: 1, failed: 1, skipped: 2 });
    expect(summary.results.map((r) => r.name)).toEqual(["task 1", "breaks"]);
    expect(readFileSync(journal, "utf8")).toBe("1\n2\n");
  });

  it("without stopOnFailure a failing task does not stop the batch", async () => {
    const summary = await client.executeBatch(["exit 1", "exit 2", "echo ok"]);
    expect(summary).toMatchObject({ total: 3, succeeded: 1, failed: 2, skipped: 0 });
    expect(summary.results.map((r) => r.exitCode)).toEqual([1, 2, 0]);
  });

  it("a task the server refuses (missing cwd) is a failed task, not a rejected batch", async () => {
    const missing = join(workDir, "missing-dir");
    const summary = await client.executeBatch([
      { name: "bad cwd", command: "pwd", cwd: missing },
      { name: "empty", command: "  " },
      "echo still-runs",
    ]);
    expect(summary).toMatchObject({ total: 3, succeeded: 1, failed: 2, skipped: 0 });
    expect(summary.results[0]).toMatchObject({ name: "bad cwd", status: "failed", exitCode: null });
    expect(summary.results[0]?.error).toContain(missing);
    expect(summary.results[0]?.error).toContain("-32602");
    expect(summary.results[1]?.error).toContain("-32001");
    expect(summary.results[2]).toMatchObject({ success: true, stdout: "still-runs\n" });
  });

  it("an abort cancels the running task and skips the rest", async () => {
    const controller = new AbortController();
    const summary = await client.executeBatch(
      ["echo first", "echo second; sleep 30", "echo third"],
      {
        signal: controller.signal,
        onTaskStart: (index) => {
          if (index === 1) setImmediate(() => controller.abort());
        },
      },
    );
    expect(summary).toMatchObject({ total: 3, succeeded: 1, failed: 1, skipped: 1 });
    expect(summary.results[1]?.status).toBe("canceled");
  });

  it("50 quick tasks: all succeed, in order, on one connection with no restart", async () => {
    const sessionId = client.rpc.sessionId;
    const tasks = Array.from({ length: 50 }, (_, i) => ({ name: `q${i}`, command: `echo q${i}` }));
    // Each task listens to the batch's signal only while it runs: no pile-up of listeners.
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    const summary = await client
      .executeBatch(tasks, { signal: new AbortController().signal })
      .finally(() => process.off("warning", onWarning));
    expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);
    expect(summary).toMatchObject({ total: 50, succeeded: 50, failed: 0, skipped: 0 });
    expect(summary.results.map((r) => r.stdout)).toEqual(tasks.map((_, i) => `q${i}\n`));
    // Same connection throughout, every execution on it, and the server saw one client.
    expect(client.rpc.sessionId).toBe(sessionId);
    for (const result of summary.results) {
      expect(server.context.engine.get(result.executionId)?.spec.sessionId).toBe(sessionId);
    }
    expect(server.context.connections.size).toBe(1);
    expect(server.context.engine.load().running).toBe(0);
  });
});
