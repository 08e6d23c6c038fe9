/**
 * Pre/post-execution hooks from the config (DESIGN §7, docs/hooks.md), through real servers and
 * sockets: a shell hook that vetoes, one that times out, one that crashes; JS module hooks that
 * rewrite, throw, exit or loop (in their worker thread); post hooks with the context on stdin and
 * CC_EXECUTOR_* variables; hook.warning notifications; hook_status; the built-in hooks (venv,
 * metrics, UUID check with the real CLI); and hooks on task-list steps.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { connect } from "../src/client/node.js";
import { ErrorCode } from "../src/protocol/errors.js";
import { firstUserText, textReply } from "./fixtures/mock-anthropic/index.js";
import { type ClaudeHarness, startClaudeHarness } from "./helpers/claude-server.js";
import { eventually, pidsMatching, uniqueMarker } from "./helpers/processes.js";
import { RpcSocket } from "./helpers/rpc-socket.js";
import { startTestServer, type TestServer, tempDir } from "./helpers/test-server.js";

const FIXTURES = join(import.meta.dirname, "fixtures", "hooks");
const scratch = tempDir("cce-hooks-");
const slowMarker = uniqueMarker("slowhook");
const sockets: RpcSocket[] = [];

afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close();
});
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

async function open(server: TestServer): Promise<RpcSocket> {
  const socket = await RpcSocket.open(server.wsUrl, { token: server.token });
  sockets.push(socket);
  await socket.notification("connected");
  return socket;
}

type Params = Record<string, unknown>;

describe("shell and module hooks", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({
      hooks: {
        timeout: 10,
        pre: [
          {
            name: "no-forbidden",
            command: `if grep -q forbidden; then echo "forbidden word in the command" >&2; exit 2; fi`,
          },
          {
            name: "slow",
            command: `if grep -q slow-hook; then sleep 30 # ${slowMarker}\nfi`,
            timeout: 0.5,
          },
          { name: "crashes", command: "if grep -q crash-hook; then kill -SEGV $$; fi" },
          { name: "rewrite", module: join(FIXTURES, "rewrite.mjs"), kinds: ["command"] },
          // Last, so that when hook_status counts its run the engine has decided on the start.
          {
            name: "unhurried",
            command: `if grep -q unhurried-hook; then touch ${scratch}/unhurried-started; sleep 1; fi`,
          },
        ],
        post: [
          {
            name: "record",
            command: `cat > ${scratch}/post-$CC_EXECUTOR_EXECUTION_ID.json; echo "$CC_EXECUTOR_HOOK_PHASE $CC_EXECUTOR_STATUS $CC_EXECUTOR_EXIT_CODE $CC_EXECUTOR_TASK_INDEX" > ${scratch}/post-$CC_EXECUTOR_EXECUTION_ID.env`,
          },
        ],
      },
    });
  });
  afterAll(async () => {
    await server.stop();
    for (const pid of pidsMatching(slowMarker)) process.kill(pid, "SIGKILL");
  });

  it("a start whose pre hooks outlast the client's request timeout is still followed to its end", async () => {
    // The start's reply waits for the hooks; a client giving up on it would leave the
    // execution running unfollowed. Starts wait as long as the connection lasts.
    const client = await connect({ url: server.wsUrl, token: server.token, requestTimeoutMs: 200 });
    try {
      const result = await client.execute("echo unhurried-hook done");
      expect(result).toMatchObject({ status: "completed", exitCode: 0 });
      expect(result.stdout).toBe("unhurried-hook done\n");
    } finally {
      client.close();
    }
  });

  /** How often the `unhurried` hook has run, from hook_status. */
  async function unhurriedRuns(): Promise<number> {
    const socket = await open(server);
    const status = await socket.result<{ hooks: Params[] }>("hook_status");
    socket.close();
    return Number(status.hooks.find((h) => h.name === "unhurried")?.runs);
  }

  it("kill_on_disconnect: a client that leaves while the pre hooks run gets nothing started", async () => {
    const hookStarted = join(scratch, "unhurried-started");
    rmSync(hookStarted, { force: true });
    const marker = join(scratch, "left-during-hooks");
    const id = `left-during-hooks-${Date.now()}`;
    const runsBefore = await unhurriedRuns();
    const socket = await open(server);
    socket.sendRaw(
      JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "execute",
        params: {
          command: `echo unhurried-hook; touch ${marker}`,
          execution_id: id,
          kill_on_disconnect: true,
        },
      }),
    );
    expect(await eventually(() => existsSync(hookStarted))).toBe(true);
    socket.close();
    // The hook has ended (and the engine decided) once hook_status counts its run.
    await vi.waitFor(async () => expect(await unhurriedRuns()).toBeGreaterThan(runsBefore), {
      timeout: 10_000,
      interval: 25,
    });
    const watcher = await open(server);
    const reply = await watcher.call("history.get", { execution_id: id });
    expect(reply.error?.code).toBe(ErrorCode.ExecutionNotFound);
    expect(existsSync(marker)).toBe(false);
  });

  it("a task list canceled while its step's pre hooks run: the step never starts", async () => {
    const hookStarted = join(scratch, "unhurried-started");
    rmSync(hookStarted, { force: true });
    const marker = join(scratch, "canceled-during-hooks");
    const socket = await open(server);
    const { run_id } = await socket.result<{ run_id: string }>("tasks.run", {
      list: { tasks: [{ command: `echo unhurried-hook; touch ${marker}` }] },
    });
    expect(await eventually(() => existsSync(hookStarted))).toBe(true);
    await socket.result("tasks.cancel", { run_id });
    const done = await socket.waitFor((m) => m.method === "tasklist.completed");
    expect(done.params).toMatchObject({ status: "canceled" });
    const step = await socket.call("history.get", { execution_id: `${run_id}-t1-a1` });
    expect(step.error?.code).toBe(ErrorCode.ExecutionNotFound);
    expect(existsSync(marker)).toBe(false);
  });

  it("a pre hook vetoes: -32001 with its reason, nothing runs", async () => {
    const socket = await open(server);
    const reply = await socket.call("execute", { command: "echo forbidden" });
    expect(reply.error).toMatchObject({
      code: -32001,
      message: "vetoed by hook no-forbidden: forbidden word in the command",
      data: { hook: "no-forbidden", reason: "forbidden word in the command" },
    });
    expect(socket.all("process.started")).toEqual([]);
    const status = await socket.result<{ recent: Params[] }>("hook_status");
    expect(status.recent[0]).toMatchObject({ hook: "no-forbidden", outcome: "veto" });
  });

  it("a pre hook that times out is killed and reported; the execution runs", async () => {
    const socket = await open(server);
    const { id, completed } = await socket.run("echo slow-hook done");
    expect(completed.status).toBe("completed");
    expect(socket.output(id)).toBe("slow-hook done\n");
    const [warning] = socket.all("hook.warning", id);
    expect(warning?.params).toMatchObject({
      execution_id: id,
      hook: "slow",
      phase: "pre",
      reason: "timeout",
    });
    expect(pidsMatching(slowMarker)).toEqual([]);
  });

  it("a pre hook that crashes is reported; the execution runs", async () => {
    const socket = await open(server);
    const { id, completed } = await socket.run("echo crash-hook survived");
    expect(completed.status).toBe("completed");
    expect(socket.output(id)).toBe("crash-hook survived\n");
    const [warning] = socket.all("hook.warning", id);
    expect(warning?.params).toMatchObject({ hook: "crashes", reason: "failed" });
    expect(String(warning?.params?.message)).toContain("SIGSEGV");
  });

  it("a module hook rewrites the command and its environment", async () => {
    const socket = await open(server);
    const { id, completed } = await socket.run("echo please-rewrite");
    expect(completed.status).toBe("completed");
    expect(socket.output(id)).toBe("rewritten by a hook\nrewrite.mjs\n");
    const status = await socket.result<{ recent: Params[] }>("hook_status");
    expect(
      status.recent.find((r) => r.execution_id === id && r.outcome === "rewrite"),
    ).toMatchObject({
      hook: "rewrite",
      message: "changed command, env",
    });
  });

  it("a post hook gets the completion on stdin and CC_EXECUTOR_* variables", async () => {
    const socket = await open(server);
    const { id } = await socket.run("exit 7");
    const env = join(scratch, `post-${id}.env`);
    expect(
      await eventually(() => existsSync(env) && readFileSync(env, "utf8").endsWith("\n")),
    ).toBe(true);
    expect(readFileSync(env, "utf8")).toBe("post failed 7 \n");
    const context = JSON.parse(readFileSync(join(scratch, `post-${id}.json`), "utf8"));
    expect(context).toMatchObject({
      phase: "post",
      kind: "command",
      execution_id: id,
      command: "exit 7",
      completion: { status: "failed", exit_code: 7 },
      task: null,
    });
  });

  it("hook_status lists every hook with its counts", async () => {
    const socket = await open(server);
    const status = await socket.result<{ hooks: Params[]; metrics: Params }>("hook_status");
    expect(status.hooks.map((h) => `${h.phase}:${h.name}`)).toEqual([
      "pre:builtin:venv",
      "pre:no-forbidden",
      "pre:slow",
      "pre:crashes",
      "pre:rewrite",
      "pre:unhurried",
      "post:builtin:metrics",
      "post:builtin:uuid-check",
      "post:record",
    ]);
    const slow = status.hooks.find((h) => h.name === "slow");
    expect(slow).toMatchObject({ type: "shell", timeout_seconds: 0.5, last_outcome: "ok" });
    expect(Number(slow?.failures)).toBeGreaterThanOrEqual(1);
    expect(status.metrics).toMatchObject({
      by_kind: { command: { executions: expect.any(Number) } },
    });
  });

  it("runs hooks on task-list steps too: a veto fails the task, warnings reach the run", async () => {
    const socket = await open(server);
    const reply = await socket.result<{ run_id: string }>("tasks.run", {
      list: {
        continue_on_failure: true,
        tasks: [{ command: "echo slow-hook in a task" }, { command: "echo forbidden" }],
      },
    });
    const done = await socket.waitFor((m) => m.method === "tasklist.completed");
    expect(done.params).toMatchObject({ status: "failed", completed: 1, failed: 1 });
    const warning = socket.all("hook.warning").find((m) => m.params?.hook === "slow");
    expect(warning?.params).toMatchObject({
      reason: "timeout",
      task: { run_id: reply.run_id, index: 1, total: 2 },
    });
    const run = await socket.result<{ tasks: Params[] }>("tasks.get", { run_id: reply.run_id });
    expect(run.tasks[1]?.error).toBe("vetoed by hook no-forbidden: forbidden word in the command");
    const step = `${reply.run_id}-t1-a1`;
    const env = join(scratch, `post-${step}.env`);
    expect(
      await eventually(() => existsSync(env) && readFileSync(env, "utf8").endsWith("\n")),
    ).toBe(true);
    expect(readFileSync(env, "utf8")).toBe("post completed 0 1\n");
  });
});

describe("module hooks that misbehave", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({
      hooks: {
        pre: [
          { name: "throws", module: join(FIXTURES, "throws.mjs") },
          // Long enough for a fresh worker to start on a busy machine, short for a test.
          { name: "loops", module: join(FIXTURES, "loops.mjs"), timeout: 2 },
        ],
        post: [{ name: "exits", module: join(FIXTURES, "exits.mjs") }],
      },
    });
  });
  afterAll(async () => {
    await server.stop();
  });

  it("a throwing, a looping and an exiting module are reported; the server goes on", async () => {
    const socket = await open(server);
    const { id, completed } = await socket.run("echo still here");
    expect(completed.status).toBe("completed");
    expect(socket.output(id)).toBe("still here\n");
    const pre = socket.all("hook.warning", id).map((m) => [m.params?.hook, m.params?.reason]);
    expect(pre).toEqual([
      ["throws", "failed"],
      ["loops", "timeout"],
    ]);
    expect(String(socket.all("hook.warning", id)[0]?.params?.message)).toContain(
      "this hook is broken",
    );
    const post = await socket.waitFor(
      (m) =>
        m.method === "hook.warning" && m.params?.execution_id === id && m.params?.phase === "post",
    );
    expect(post.params).toMatchObject({ hook: "exits", reason: "failed" });
    // The looping module's worker was replaced: the next call is answered (no loop for it).
    const again = await socket.run("echo no-loop");
    expect(again.completed.status).toBe("completed");
    const warnings = socket.all("hook.warning", again.id).map((m) => m.params?.hook);
    expect(warnings).toContain("throws");
    expect(warnings).not.toContain("loops");
    expect((await socket.result<Params>("server.status")).pid).toBe(process.pid);
  });
});

describe("built-in hooks", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  it("activates <cwd>/.venv: its bin first on PATH, VIRTUAL_ENV set", async () => {
    const project = join(scratch, "project");
    const bin = join(project, ".venv", "bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "python"), "#!/bin/sh\necho venv python\n");
    chmodSync(join(bin, "python"), 0o755);
    const socket = await open(server);
    const { id } = await socket.run('echo "$VIRTUAL_ENV"; python', { cwd: project });
    expect(socket.output(id)).toBe(`${join(project, ".venv")}\nvenv python\n`);
    const outside = await socket.run('echo "[$VIRTUAL_ENV]"', { cwd: scratch });
    expect(socket.output(outside.id)).toBe("[]\n");
  });

  it("counts executions by kind and status (metrics)", async () => {
    const socket = await open(server);
    await socket.run("exit 1");
    const status = await socket.result<{ metrics: { by_kind: { command: Params } } }>(
      "hook_status",
    );
    expect(status.metrics.by_kind.command.executions).toBeGreaterThanOrEqual(2);
    expect((status.metrics.by_kind.command.by_status as Params).failed).toBeGreaterThanOrEqual(1);
  });
});

describe("the built-in UUID check, with the real claude CLI", () => {
  let h: ClaudeHarness;
  const uuidOf = (text: string) =>
    /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/.exec(text)?.[0];

  beforeAll(async () => {
    h = await startClaudeHarness({
      claudeRetries: 0,
      hooks: { builtin: { uuid_verification: true } },
    });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("asks every Claude run for the UUID and flags an answer without it", async () => {
    h.mock.enqueue((request) => textReply(`All done.\n${uuidOf(firstUserText(request))}`));
    const honest = await h.claude("Summarise nothing");
    expect(honest.completed.claude).toMatchObject({ uuid_verified: true });
    expect(firstUserText(h.mock.messageRequests[0] as never)).toMatch(/[0-9a-f]{8}-/);

    h.mock.enqueue(textReply("All done, trust me."));
    const liar = await h.claude("Summarise nothing again");
    expect(liar.completed.claude).toMatchObject({ uuid_verified: false });
    const flagged = await h.socket.waitFor(
      (m) => m.method === "hook.warning" && m.params?.execution_id === liar.id,
    );
    expect(flagged.params).toMatchObject({ hook: "builtin:uuid-check", reason: "flagged" });
  });
});
