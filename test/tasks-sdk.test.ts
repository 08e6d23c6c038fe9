/**
 * `client.runTaskList(...)` (DESIGN §7): progress events in order and a summary; a list from a
 * file; abort cancels; a client that goes away leaves the run running, and another client can
 * watch it to its end and resume it.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CcExecutorClient, connect } from "../src/client/node.js";
import type { TaskListEvent } from "../src/client/task-list-run.js";
import { startTestServer, type TestServer, tempDir } from "./helpers/test-server.js";

let server: TestServer;
let scratch: string;
const clients: CcExecutorClient[] = [];

beforeAll(async () => {
  server = await startTestServer();
  scratch = tempDir("cce-sdk-tasks-");
});
afterAll(async () => {
  for (const client of clients) client.close();
  await server.stop();
  rmSync(scratch, { recursive: true, force: true });
});

async function client(): Promise<CcExecutorClient> {
  const c = await connect({ url: server.wsUrl, token: server.token, reconnect: false });
  clients.push(c);
  return c;
}

const gate = (name: string) => join(scratch, name);
const waitFor = (path: string) => `while [ ! -e ${path} ]; do sleep 0.02; done`;

describe("client.runTaskList", () => {
  it("streams progress events and resolves with the summary", async () => {
    const c = await client();
    const run = c.runTaskList(
      {
        name: "sdk",
        tasks: [{ command: "echo one" }, { command: "echo two {{previous.result}}" }],
      },
      { baseDir: scratch },
    );
    const events: TaskListEvent[] = [];
    for await (const event of run) events.push(event);
    const describe = (e: TaskListEvent) =>
      e.type === "output"
        ? `output:${e.index}:${e.data}`
        : "params" in e
          ? `${e.type}:${(e.params as { index: number }).index}`
          : e.type;
    expect(events.map(describe)).toEqual([
      "started",
      "task.started:1",
      "output:1:one\n",
      "task.completed:1",
      "task.started:2",
      "output:2:two one\n",
      "task.completed:2",
      "completed",
    ]);
    const summary = await run.result;
    expect(summary).toMatchObject({ status: "completed", success: true, completed: 2, failed: 0 });
    expect(summary.run.tasks.map((t) => t.result)).toEqual(["one", "two one"]);
    expect(run.id).toBe(summary.runId);
  });

  it("runs a list file given by path", async () => {
    const c = await client();
    const path = join(scratch, "list.yaml");
    writeFileSync(path, "tasks:\n  - command: pwd\n");
    const summary = await c.runTaskList(path).result;
    expect(summary.status).toBe("completed");
    expect(summary.run.tasks[0]?.result).toBe(scratch);
    expect(summary.run.source).toBe(path);
  });

  it("rejects a bad list with the server's -32602, issues attached", async () => {
    const c = await client();
    const run = c.runTaskList({ tasks: [{ prompt: "x", retries: "many" }] });
    await expect(run.result).rejects.toMatchObject({
      code: -32602,
      data: { issues: [{ field: "tasks.1.retries" }] },
    });
  });

  it("cancels the run when its signal aborts", async () => {
    const c = await client();
    const controller = new AbortController();
    const run = c.runTaskList(
      { tasks: [{ command: "sleep 30" }, { command: "echo never" }] },
      { signal: controller.signal },
    );
    for await (const event of run) {
      if (event.type === "task.started") controller.abort();
    }
    const summary = await run.result;
    expect(summary).toMatchObject({ status: "canceled", completed: 0, notRun: 1 });
  });

  it("keeps running when its client goes away; another client watches and resumes it", async () => {
    const first = await client();
    const release = gate("release");
    const log = join(scratch, "sdk-log");
    const fixed = gate("fixed");
    const run = first.runTaskList({
      tasks: [
        { command: `echo one >> ${log}` },
        { command: `${waitFor(release)}; echo two >> ${log}` },
        { command: `test -e ${fixed}` },
        { command: `echo four >> ${log}` },
      ],
    });
    for await (const event of run) {
      if (event.type === "task.started" && event.params.index === 2) break;
    }
    const runId = run.id as string;
    first.close();
    await expect(run.result).rejects.toThrow();

    const second = await client();
    const watched = second.watchTaskList(runId);
    writeFileSync(release, "");
    const summary = await watched.result;
    expect(summary).toMatchObject({ status: "failed", completed: 2, failed: 1, notRun: 1 });
    expect(readFileSync(log, "utf8")).toBe("one\ntwo\n");

    // The failed task is the first unfinished one: after a fix, a resume starts there.
    writeFileSync(fixed, "");
    const resumed = await second.resumeTaskList(runId).result;
    expect(resumed).toMatchObject({ status: "completed", completed: 4, failed: 0 });
    expect(resumed.run.resumes).toBe(1);
    expect(resumed.run.tasks[2]?.attempts.map((a) => a.status)).toEqual(["failed", "completed"]);
    expect(readFileSync(log, "utf8")).toBe("one\ntwo\nfour\n");
  });
});
