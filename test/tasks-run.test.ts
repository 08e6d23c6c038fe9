/**
 * Task lists of shell commands over a real socket against a real server (DESIGN §7): strict
 * order, templating (shell-quoted in commands), results in runs/<id>/, failures with and
 * without continue_on_failure, retries with backoff, per-task timeouts, cancel, a client that
 * disconnects, and a resume that never runs a finished task again.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { pidsMatching, uniqueMarker } from "./helpers/processes.js";
import { type Message, RpcSocket } from "./helpers/rpc-socket.js";
import { startTestServer, type TestServer, tempDir } from "./helpers/test-server.js";

let server: TestServer;
let scratch: string;
const sockets: RpcSocket[] = [];

beforeAll(async () => {
  server = await startTestServer();
  scratch = tempDir("cce-tasks-");
});
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close();
});
afterAll(async () => {
  await server.stop();
  rmSync(scratch, { recursive: true, force: true });
});

async function open(target: TestServer = server): Promise<RpcSocket> {
  const socket = await RpcSocket.open(target.wsUrl, { token: target.token });
  sockets.push(socket);
  await socket.notification("connected");
  return socket;
}

type Params = Record<string, unknown>;

async function runList(
  socket: RpcSocket,
  list: Params,
  extra: Params = {},
): Promise<{ runId: string; done: Params; reply: Message }> {
  const reply = await socket.call("tasks.run", { list, base_dir: scratch, ...extra });
  if (reply.error) throw new Error(`tasks.run failed: ${reply.error.message}`);
  const runId = (reply.result as { run_id: string }).run_id;
  const done = await socket.waitFor(
    (m) => m.method === "tasklist.completed" && m.params?.run_id === runId,
  );
  return { runId, done: done.params as Params, reply };
}

function runEvents(socket: RpcSocket, runId: string): string[] {
  return socket.messages
    .filter((m) => m.method?.startsWith("task") && m.params?.run_id === runId)
    .map((m) => `${m.method}:${m.params?.index ?? ""}:${m.params?.status ?? ""}`);
}

let flags = 0;
const flag = () => join(scratch, `flag-${++flags}`);
const waitFor = (path: string) => `while [ ! -e ${path} ]; do sleep 0.02; done`;

describe("tasks.run with shell commands", () => {
  it("runs tasks in order, fills in earlier results, and writes runs/<id>/task-N.*", async () => {
    const socket = await open();
    const { runId, done, reply } = await runList(socket, {
      name: "three steps",
      tasks: [
        { name: "first", command: "echo alpha" },
        { command: "printf '%s|' {{tasks.1.result}} {{previous.status}}" },
        { command: "echo {{previous.result}} {{run.id}}" },
      ],
    });
    expect(reply.result).toMatchObject({ status: "running", total: 3, start_task: 1 });
    expect(done).toMatchObject({ status: "completed", completed: 3, failed: 0, not_run: 0 });
    expect(runEvents(socket, runId)).toEqual([
      "task.started:1:",
      "task.completed:1:completed",
      "task.started:2:",
      "task.completed:2:completed",
      "task.started:3:",
      "task.completed:3:completed",
      "tasklist.completed::completed",
    ]);
    // The reply comes first; each step's output streams to the caller between its task events.
    const index = (m: Message | undefined) => socket.messages.indexOf(m as Message);
    const firstStarted = socket.messages.find((m) => m.method === "task.started");
    expect(index(reply)).toBeLessThan(index(firstStarted));
    const run = await socket.result<Params & { tasks: Params[] }>("tasks.get", { run_id: runId });
    expect(run.tasks.map((t) => t.result)).toEqual([
      "alpha",
      "alpha|completed|",
      `alpha|completed| ${runId}`,
    ]);
    const step2 = attemptsOf(run.tasks[1])[0]?.execution_id as string;
    expect(socket.output(step2)).toBe("alpha|completed|");
    const dir = join(server.home, "runs", runId);
    const json = JSON.parse(readFileSync(join(dir, "task-1.json"), "utf8"));
    expect(json).toMatchObject({ index: 1, name: "first", status: "completed", result: "alpha" });
    expect(readFileSync(join(dir, "task-1.md"), "utf8")).toContain("alpha");
    expect(existsSync(join(dir, "tasklist.json"))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, "run.json"), "utf8")).status).toBe("completed");
  });

  it("a watcher told a run was running, joining after it ended, hears how it ended", async () => {
    // tasks.get {subscribe} replies "running", then watches after the reply: a run that ends in
    // between must not leave its watcher waiting for a tasklist.completed already sent.
    const socket = await open();
    const { runId } = await runList(socket, { tasks: [{ command: "echo late" }] });
    const heard: Array<{ method: string; params: Params }> = [];
    await server.context.tasks.watchOrTell(runId, {
      key: "late-watcher",
      notify: (method, params) => heard.push({ method, params: params as Params }),
      alive: () => true,
    });
    expect(heard).toEqual([
      {
        method: "tasklist.completed",
        params: expect.objectContaining({ run_id: runId, status: "completed", completed: 1 }),
      },
    ]);
  });

  it("passes a result into a command as one quoted word, never as shell syntax", async () => {
    const socket = await open();
    const evil = join(scratch, "pwned");
    const { runId, done } = await runList(socket, {
      tasks: [
        { command: `echo "a'b \\$(touch ${evil}); touch ${evil}"` },
        { command: "printf '[%s]' {{previous.result}}" },
      ],
    });
    expect(done.status).toBe("completed");
    const run = await socket.result<{ tasks: Params[] }>("tasks.get", { run_id: runId });
    expect(run.tasks[1]?.result).toBe(`[a'b $(touch ${evil}); touch ${evil}]`);
    expect(existsSync(evil)).toBe(false);
  });

  it("keeps a result over 64 KiB as its first and last 32 KiB around one marker, with its full size", async () => {
    const socket = await open();
    // `seq 1 200000` writes 1,288,895 bytes: the result is that stdout, trimmed, cut once.
    const stdout = `${Array.from({ length: 200_000 }, (_, i) => i + 1).join("\n")}\n`;
    const half = 32 * 1024;
    const omitted = stdout.length - 2 * half;
    const expected = `${stdout.slice(0, half)}\n[… ${omitted} bytes of output left out …]\n${stdout.slice(-half).trimEnd()}`;
    const { runId, done } = await runList(socket, {
      tasks: [
        { command: "seq 1 200000" },
        // The templated result is exactly what the record keeps.
        { command: "printf '%s' {{previous.result}} | wc -c" },
      ],
    });
    expect(done.status).toBe("completed");
    const run = await socket.result<{ tasks: Params[] }>("tasks.get", { run_id: runId });
    expect(run.tasks[0]?.result_bytes).toBe(stdout.trimEnd().length);
    expect(run.tasks[0]?.result).toBe(expected);
    expect(run.tasks[1]?.result).toBe(String(Buffer.byteLength(expected)));
    const completed = socket.messages.find(
      (m) => m.method === "task.completed" && m.params?.run_id === runId && m.params?.index === 1,
    );
    expect(completed?.params?.result_bytes).toBe(stdout.trimEnd().length);
    const json = JSON.parse(readFileSync(join(server.home, "runs", runId, "task-1.json"), "utf8"));
    expect(json).toMatchObject({ result: expected, result_bytes: stdout.trimEnd().length });
  });

  it("stops at a failed task, leaving the rest for a resume", async () => {
    const socket = await open();
    const { runId, done } = await runList(socket, {
      tasks: [{ command: "echo ok" }, { command: "echo broken; exit 3" }, { command: "echo z" }],
    });
    expect(done).toMatchObject({ status: "failed", completed: 1, failed: 1, not_run: 1 });
    expect(String(done.error)).toContain("task 2");
    const run = await socket.result<Params & { tasks: Params[] }>("tasks.get", { run_id: runId });
    expect(run.next_task).toBe(2);
    expect(run.tasks.map((t) => t.status)).toEqual(["completed", "failed", "pending"]);
    expect(run.tasks[1]).toMatchObject({
      exit_code: 3,
      result: "broken",
      error: expect.any(String),
    });
    expect(runEvents(socket, runId)).not.toContain("task.started:3:");
  });

  it("goes on after a failed task with continue_on_failure", async () => {
    const socket = await open();
    const { runId, done } = await runList(socket, {
      continue_on_failure: true,
      tasks: [
        { command: "exit 1" },
        { command: "echo second sees {{previous.status}} {{previous.exit_code}}" },
      ],
    });
    expect(done).toMatchObject({ status: "failed", completed: 1, failed: 1, not_run: 0 });
    const run = await socket.result<{ tasks: Params[]; next_task: unknown }>("tasks.get", {
      run_id: runId,
    });
    expect(run.tasks[1]?.result).toBe("second sees failed 1");
    expect(run.next_task).toBeNull();
  });

  it("retries a failed attempt after a backoff, then goes on", async () => {
    const socket = await open();
    const counter = join(scratch, "attempts");
    const { runId, done } = await runList(socket, {
      retry_delay: "50ms",
      tasks: [
        {
          command: `n=$(cat ${counter} 2>/dev/null || echo 0); echo $((n+1)) > ${counter}; echo try $n; [ "$n" -ge 1 ]`,
          retries: 2,
        },
      ],
    });
    expect(done.status).toBe("completed");
    const completions = socket.all("task.completed").filter((m) => m.params?.run_id === runId);
    expect(completions.map((m) => [m.params?.attempt, m.params?.status])).toEqual([
      [1, "waiting"],
      [2, "completed"],
    ]);
    expect(completions[0]?.params?.retry_in_ms).toBeGreaterThanOrEqual(50);
    const run = await socket.result<{ tasks: Params[] }>("tasks.get", { run_id: runId });
    expect(run.tasks[0]).toMatchObject({ status: "completed", result: "try 1" });
    expect(attemptsOf(run.tasks[0]).map((a) => a.status)).toEqual(["failed", "completed"]);
  });

  it("enforces a task's timeout", async () => {
    const socket = await open();
    const marker = uniqueMarker("tasktimeout");
    const { runId, done } = await runList(socket, {
      tasks: [{ command: `sleep 30 # ${marker}`, timeout: 0.3 }],
    });
    expect(done.status).toBe("failed");
    const run = await socket.result<{ tasks: Params[] }>("tasks.get", { run_id: runId });
    expect(attemptsOf(run.tasks[0])[0]?.status).toBe("timed_out");
    expect(run.tasks[0]?.error).toContain("timed out");
    expect(pidsMatching(marker)).toEqual([]);
  });

  it("refuses a task whose cwd does not exist, without retrying it", async () => {
    const socket = await open();
    const { runId, done } = await runList(socket, {
      tasks: [{ command: "pwd", cwd: "missing-dir", retries: 3 }],
    });
    expect(done.status).toBe("failed");
    const run = await socket.result<{ tasks: Params[] }>("tasks.get", { run_id: runId });
    expect(attemptsOf(run.tasks[0])).toHaveLength(1);
    expect(attemptsOf(run.tasks[0])[0]).toMatchObject({ status: "refused" });
    expect(run.tasks[0]?.error).toContain("cwd does not exist");
  });

  it("cancels a run: its step is killed and nothing after it starts", async () => {
    const socket = await open();
    const marker = uniqueMarker("taskcancel");
    const reply = await socket.result<{ run_id: string }>("tasks.run", {
      list: { tasks: [{ command: `sleep 30 # ${marker}` }, { command: "echo never" }] },
    });
    await socket.waitFor((m) => m.method === "process.started");
    const canceled = await socket.result<Params>("tasks.cancel", { run_id: reply.run_id });
    expect(canceled).toMatchObject({ run_id: reply.run_id, status: "canceled", next_task: 1 });
    const done = await socket.waitFor((m) => m.method === "tasklist.completed");
    expect(done.params).toMatchObject({ status: "canceled", not_run: 1 });
    expect(pidsMatching(marker)).toEqual([]);
  });

  it("goes on when the client that started it disconnects", async () => {
    const first = await open();
    const gate = flag();
    const reply = await first.result<{ run_id: string }>("tasks.run", {
      list: { tasks: [{ command: `${waitFor(gate)}; echo one` }, { command: "echo two" }] },
    });
    await first.waitFor((m) => m.method === "process.started");
    first.close();
    await first.whenClosed();
    const second = await open();
    const state = await second.result<Params>("tasks.get", {
      run_id: reply.run_id,
      subscribe: true,
    });
    expect(state.status).toBe("running");
    writeFileSync(gate, "");
    const done = await second.waitFor((m) => m.method === "tasklist.completed");
    expect(done.params).toMatchObject({ run_id: reply.run_id, status: "completed", completed: 2 });
    // Watching from the middle: the rest of the run's events arrive, with the steps' output.
    expect(runEvents(second, reply.run_id)).toContain("task.completed:2:completed");
    const run = await second.result<{ tasks: Params[] }>("tasks.get", { run_id: reply.run_id });
    expect(run.tasks.map((t) => t.result)).toEqual(["one", "two"]);
  });

  it("resumes a canceled run at its first unfinished task, never re-running finished ones", async () => {
    const socket = await open();
    const log = join(scratch, "resume-log");
    const gate = flag();
    const reply = await socket.result<{ run_id: string }>("tasks.run", {
      run_id: `resume-test-${process.pid}`,
      list: {
        tasks: [
          { command: `echo one >> ${log}; echo one` },
          { command: `echo two >> ${log}; echo waiting; ${waitFor(gate)}; echo two` },
          { command: "echo three {{tasks.1.result}}" },
        ],
      },
    });
    await socket.waitFor((m) => m.method === "process.output" && m.params?.data === "waiting\n");
    // Any unique prefix of the id names the run.
    await socket.result("tasks.cancel", { run_id: "resume-test-" });
    writeFileSync(gate, "");
    const resumed = await socket.result<Params>("tasks.resume", { run_id: reply.run_id });
    expect(resumed).toMatchObject({ run_id: reply.run_id, status: "running", start_task: 2 });
    const done = await socket.waitFor(
      (m) => m.method === "tasklist.completed" && m.params?.status === "completed",
    );
    expect(done.params).toMatchObject({ completed: 3 });
    expect(readFileSync(log, "utf8")).toBe("one\ntwo\ntwo\n");
    const run = await socket.result<Params & { tasks: Params[] }>("tasks.get", {
      run_id: reply.run_id,
    });
    expect(run.resumes).toBe(1);
    expect(run.tasks[2]?.result).toBe("three one");
    expect(attemptsOf(run.tasks[1]).map((a) => a.status)).toEqual(["canceled", "completed"]);
    const again = await socket.call("tasks.resume", { run_id: reply.run_id });
    expect(again.error?.message).toContain("nothing is left to run");
  });

  it("lists runs newest first", async () => {
    const socket = await open();
    const { runId } = await runList(socket, {
      name: "listed",
      tasks: [{ command: "echo listed" }],
    });
    const { runs } = await socket.result<{ runs: Params[] }>("tasks.list", { limit: 3 });
    expect(runs[0]).toMatchObject({ run_id: runId, name: "listed", status: "completed", total: 1 });
  });
});

describe("task lists that are refused", () => {
  it("answers -32602 naming file, line and field for a bad file", async () => {
    const socket = await open();
    const file = join(scratch, "bad.yaml");
    writeFileSync(file, "tasks:\n  - command: echo hi\n  - prompt: hello\n    timeout: soon\n");
    const reply = await socket.call("tasks.run", { path: file });
    expect(reply.error?.code).toBe(-32602);
    expect(reply.error?.message).toContain(`${file}:4: tasks.2.timeout`);
    const issues = (reply.error?.data as { issues?: Params[] } | undefined)?.issues ?? [];
    expect(issues[0]).toMatchObject({
      file,
      line: 4,
      field: "tasks.2.timeout",
    });
  });

  it("refuses an inline list with a template that looks ahead", async () => {
    const socket = await open();
    const reply = await socket.call("tasks.run", {
      list: { tasks: [{ command: "echo {{tasks.2.result}}" }, { command: "true" }] },
    });
    expect(reply.error?.code).toBe(-32602);
    expect(reply.error?.message).toContain("tasks.1.command");
  });

  it("answers -32002 for an unknown run", async () => {
    const socket = await open();
    const reply = await socket.call("tasks.get", { run_id: "no-such-run" });
    expect(reply.error?.code).toBe(-32002);
  });
});

describe("a server stopped during a run", () => {
  it("leaves it interrupted; a new server on the same home resumes it", async () => {
    const home = tempDir("cce-tasks-home-");
    const log = join(scratch, "restart-log");
    const gate = flag();
    const first = await startTestServer({ home });
    let second: TestServer | null = null;
    try {
      const socket = await open(first);
      const reply = await socket.result<{ run_id: string }>("tasks.run", {
        list: {
          tasks: [
            { command: `echo one >> ${log}` },
            { command: `echo two >> ${log}; echo waiting; ${waitFor(gate)}` },
          ],
        },
      });
      await socket.waitFor((m) => m.method === "process.output" && m.params?.data === "waiting\n");
      const closed = first.close("test stop");
      const done = await socket.waitFor((m) => m.method === "tasklist.completed");
      expect(done.params).toMatchObject({ status: "interrupted", completed: 1 });
      await closed;
      writeFileSync(gate, "");
      second = await startTestServer({ home });
      const again = await open(second);
      const before = await again.result<Params>("tasks.get", { run_id: reply.run_id });
      expect(before).toMatchObject({ status: "interrupted", next_task: 2 });
      await again.result("tasks.resume", { run_id: reply.run_id });
      const resumed = await again.waitFor((m) => m.method === "tasklist.completed");
      expect(resumed.params).toMatchObject({ status: "completed", completed: 2 });
      expect(readFileSync(log, "utf8")).toBe("one\ntwo\ntwo\n");
    } finally {
      await second?.close("test finished");
      rmSync(home, { recursive: true, force: true });
    }
  });
});

function attemptsOf(task: Record<string, unknown> | undefined): Array<Record<string, unknown>> {
  return (task?.attempts ?? []) as Array<Record<string, unknown>>;
}
