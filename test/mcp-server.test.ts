/**
 * `cc-executor mcp` (DESIGN §13) with real parts: the MCP SDK's client over stdio against the
 * built `cc-executor mcp` process, which finds the real cc-executor server (a separate process)
 * through the home's server.json and token; Claude tasks run the real `claude` CLI against the
 * mock Messages API (the server's environment points it there). Progress comes every 200 ms here
 * (CC_EXECUTOR_MCP_PROGRESS_INTERVAL_MS; the default is 10 s).
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Progress } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type CcExecutorClient, connect } from "../src/client/node.js";
import {
  CLAUDE_BIN,
  type ClaudeSandbox,
  createClaudeSandbox,
} from "./fixtures/mock-anthropic/claude-runner.js";
import {
  firstUserText,
  type MockAnthropic,
  rateLimitError,
  startMockAnthropic,
  textReply,
} from "./fixtures/mock-anthropic/index.js";
import {
  closeAllMcp,
  type McpProcess,
  startMcp,
  structuredOf,
  textOf,
} from "./helpers/mcp-client.js";
import { eventually, pidAlive, pidsMatching, uniqueMarker } from "./helpers/processes.js";
import { type ServerProcess, startServerProcess } from "./helpers/server-process.js";
import { tempDir } from "./helpers/test-server.js";

const PROGRESS_MS = "200";

let mock: MockAnthropic;
let sandbox: ClaudeSandbox;
let server: ServerProcess;
/** One MCP server for the tests that need no process of their own (each start costs ~1-2 s). */
let m: McpProcess;

beforeAll(async () => {
  mock = await startMockAnthropic();
  sandbox = await createClaudeSandbox();
  server = await startServerProcess({
    ...sandbox.env(mock.url),
    CC_EXECUTOR_CLAUDE_BIN: CLAUDE_BIN,
    CC_EXECUTOR_CLAUDE_AUTH: "api-key",
  });
  m = await mcp();
});
afterAll(async () => {
  await closeAllMcp();
  await server?.cleanup();
  await mock?.close();
  await sandbox?.cleanup();
});
beforeEach(() => {
  mock.reset();
  mock.setDefault(textReply("OK"));
});

/** A client SDK connection to the server, for looking at records the MCP tools summarize. */
async function connectToServer<T>(use: (client: CcExecutorClient) => Promise<T>): Promise<T> {
  const client = await connect({ url: server.wsUrl, token: server.token, reconnect: false });
  try {
    return await use(client);
  } finally {
    client.close();
  }
}

function mcp(): Promise<McpProcess> {
  return startMcp(server.home, {
    cwd: sandbox.cwd,
    env: { CC_EXECUTOR_MCP_PROGRESS_INTERVAL_MS: PROGRESS_MS },
  });
}

describe("the tools", () => {
  it("lists the six tools of the contract, each with input and output schemas", async () => {
    const { tools } = await m.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(
      [
        "cancel",
        "get_task_run",
        "list_runs",
        "run_task",
        "run_task_list",
        "start_task_list",
      ].sort(),
    );
    for (const tool of tools) {
      expect(tool.description?.length).toBeGreaterThan(80);
      expect(tool.inputSchema.type).toBe("object");
      expect(tool.outputSchema?.type).toBe("object");
    }
    const runTask = tools.find((t) => t.name === "run_task");
    expect(Object.keys(runTask?.inputSchema.properties ?? {}).sort()).toEqual(
      [
        "allowed_tools",
        "command",
        "cwd",
        "model",
        "prompt",
        "timeout_seconds",
        "verify",
        "verify_uuid",
      ].sort(),
    );
    expect(Object.keys(runTask?.outputSchema?.properties ?? {})).toEqual(
      expect.arrayContaining([
        "execution_id",
        "kind",
        "status",
        "exit_code",
        "duration_ms",
        "cost_usd",
        "result",
        "output_tail",
        "truncated",
      ]),
    );
    const list = tools.find((t) => t.name === "run_task_list");
    expect(Object.keys(list?.inputSchema.properties ?? {}).sort()).toEqual(
      ["continue_on_failure", "cwd", "file", "tasks"].sort(),
    );
    expect(
      Object.keys(tools.find((t) => t.name === "get_task_run")?.inputSchema.properties ?? {}),
    ).toEqual(["run_id", "wait"]);
    const prompts = await m.client.listPrompts();
    expect(prompts.prompts.map((p) => p.name)).toEqual(["orchestrate"]);
    const guide = await m.client.getPrompt({ name: "orchestrate" });
    expect(guide.messages[0]?.content).toEqual({
      type: "text",
      text: readFileSync(new URL("../docs/orchestrating.md", import.meta.url), "utf8"),
    });
  });
});

describe("run_task", () => {
  it("runs a command and returns status, exit code and the output", async () => {
    const result = await m.call("run_task", { command: "echo hello; echo oops >&2" });
    expect(result.isError).toBeFalsy();
    const out = structuredOf(result);
    expect(out).toMatchObject({
      kind: "command",
      status: "completed",
      exit_code: 0,
      truncated: false,
    });
    expect(out.output_tail).toContain("hello");
    expect(out.output_tail).toContain("oops");
    expect(textOf(result)).toContain(String(out.execution_id));
  });

  it("reports a failing command as an error result that still carries its structured result", async () => {
    const result = await m.call("run_task", { command: "echo broken; exit 3" });
    expect(result.isError).toBe(true);
    expect(structuredOf(result)).toMatchObject({ kind: "command", status: "failed", exit_code: 3 });
    expect(textOf(result)).toMatch(/exit code 3/);
    expect(textOf(result)).toContain("broken");
  });

  it("keeps the last 20 KB of a long output and says where the rest is", async () => {
    const result = await m.call("run_task", { command: "seq 1 20000; echo END" });
    const out = structuredOf(result);
    expect(out.truncated).toBe(true);
    expect(Buffer.byteLength(String(out.output_tail))).toBeLessThanOrEqual(20 * 1024);
    expect(String(out.output_tail).trimEnd().endsWith("END")).toBe(true);
    expect(textOf(result)).toContain(`cc-executor history show ${out.execution_id}`);
    expect(out.note).toContain(`cc-executor history show ${out.execution_id}`);
  });

  it("runs a task's verify check: the result stands when it passes, is an error when it fails", async () => {
    const file = `out-${Date.now()}.txt`;
    const passed = await m.call("run_task", {
      command: `echo hello > ${file}; echo wrote it`,
      verify: `grep -q hello ${file} && grep -q "wrote it" "$CC_EXECUTOR_TASK_RESULT_FILE"`,
    });
    expect(passed.isError, textOf(passed)).toBeFalsy();
    expect(structuredOf(passed)).toMatchObject({
      status: "completed",
      verify: { passed: true, exit_code: 0 },
    });
    const failed = await m.call("run_task", {
      command: "echo done",
      verify: "echo 3 tests failing; exit 4",
    });
    expect(failed.isError).toBe(true);
    expect(structuredOf(failed)).toMatchObject({
      status: "failed",
      verify: { passed: false, exit_code: 4, output_tail: "3 tests failing\n" },
    });
    expect(textOf(failed)).toContain("3 tests failing");
    expect(textOf(failed)).toMatch(
      /check failed: `echo 3 tests failing; exit 4` exited with code 4/,
    );
  });

  it("sends progress while a task runs: rising, naming the task and its state", async () => {
    const seen: Progress[] = [];
    const result = await m.call(
      "run_task",
      { command: "sleep 1.5; echo slept" },
      { onprogress: (p) => seen.push(p) },
    );
    expect(result.isError).toBeFalsy();
    expect(seen.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i]?.progress).toBeGreaterThan(seen[i - 1]?.progress as number);
    }
    for (const p of seen) {
      expect(p.message).toContain("'sleep 1.5; echo slept'");
      expect(p.message).toMatch(/running, \d+ s/);
      expect(p.message?.length).toBeLessThan(200);
    }
  });

  it("runs a prompt with the real claude CLI, with Claude's state in the progress", async () => {
    mock.enqueue(textReply("The answer is 4.", { delayMs: 1000 }));
    const seen: Progress[] = [];
    const result = await m.call(
      "run_task",
      { prompt: "What is 2+2?" },
      { onprogress: (p) => seen.push(p) },
    );
    expect(result.isError).toBeFalsy();
    const out = structuredOf(result);
    expect(out).toMatchObject({ kind: "claude", status: "completed", result: "The answer is 4." });
    expect(out.cost_usd).toEqual(expect.any(Number));
    expect(textOf(result)).toMatch(/^The answer is 4\./);
    expect(firstUserText(mock.messageRequests[0] as never)).toBe("What is 2+2?");
    expect(seen.some((p) => /'What is 2\+2\?': Claude thinking, \d+ s/.test(p.message ?? ""))).toBe(
      true,
    );
  });

  it("says in the progress when Claude is retrying after a rate limit", async () => {
    mock.enqueue(rateLimitError({ retryAfterSeconds: 1 }), textReply("Done after waiting."));
    const seen: Progress[] = [];
    const result = await m.call(
      "run_task",
      { prompt: "Be patient" },
      { onprogress: (p) => seen.push(p) },
    );
    expect(structuredOf(result)).toMatchObject({
      status: "completed",
      result: "Done after waiting.",
    });
    expect(
      seen.some((p) => /'Be patient': retrying after a rate limit, \d+ s/.test(p.message ?? "")),
    ).toBe(true);
  });

  it("cancels the execution when the call is cancelled, leaving no process", async () => {
    const marker = uniqueMarker("mcpcancel");
    const controller = new AbortController();
    let progressed = false;
    const call = m.call(
      "run_task",
      { command: `sleep 30; echo ${marker}` },
      {
        signal: controller.signal,
        onprogress: () => {
          progressed = true;
        },
      },
    );
    call.catch(() => {});
    expect(await eventually(() => progressed && pidsMatching(marker).length > 0)).toBe(true);
    controller.abort();
    await expect(call).rejects.toThrow();
    expect(await eventually(() => pidsMatching(marker).length === 0)).toBe(true);
    // The MCP server goes on serving, and the execution's record says it was canceled (the
    // record is written once the group's exit is seen, a moment after its processes are gone).
    await expect
      .poll(async () => {
        const runs = structuredOf(await m.call("list_runs", { limit: 5 }));
        const executions = runs.executions as Array<Record<string, unknown>>;
        return executions.find((e) => String(e.command).includes(marker))?.status;
      })
      .toBe("canceled");
  });
});

describe("task lists", () => {
  it("run_task_list runs three dependent tasks in order and passes results on", async () => {
    mock.enqueue((request) => textReply(`Claude heard: ${firstUserText(request)}`));
    const seen: Progress[] = [];
    const result = await m.call(
      "run_task_list",
      {
        tasks: [
          { name: "first", command: "echo alpha" },
          { name: "second", prompt: "Repeat this: {{previous.result}}" },
          { name: "third", command: "echo got {{tasks.2.result}}" },
        ],
      },
      { onprogress: (p) => seen.push(p) },
    );
    expect(result.isError).toBeFalsy();
    const out = structuredOf(result);
    expect(out.status).toBe("completed");
    expect(out.tasks?.map((t) => t.status)).toEqual(["completed", "completed", "completed"]);
    expect(out.tasks?.[1]?.summary).toBe("Claude heard: Repeat this: alpha");
    expect(out.tasks?.[2]?.summary).toBe("got Claude heard: Repeat this: alpha");
    expect(readFileSync(join(String(out.result_dir), "task-3.md"), "utf8")).toContain(
      "got Claude heard",
    );
    expect(textOf(result)).toContain(String(out.run_id));
    // Progress: tasks done out of 3, rising, naming the tasks as they ran.
    expect(seen.length).toBeGreaterThan(0);
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i]?.progress).toBeGreaterThan(seen[i - 1]?.progress as number);
    }
    expect(seen.every((p) => p.total === 3)).toBe(true);
    expect(seen.some((p) => p.message?.includes("task 2/3 'second'"))).toBe(true);
  });

  it("retries a task whose verify check fails, and passes its result on only once it passes", async () => {
    const tries = join(sandbox.cwd, `tries-${Date.now()}`);
    const result = await m.call("run_task_list", {
      tasks: [
        {
          name: "flaky",
          command: `echo try >> ${tries}; echo "made $(wc -l < ${tries})"`,
          // Fails the first attempt (one line so far), passes the second; it reads the result.
          verify: `test "$(wc -l < ${tries})" -ge 2 && grep -q made "$CC_EXECUTOR_TASK_RESULT_FILE" || { echo "only $(wc -l < ${tries}) tries"; exit 1; }`,
          retries: 2,
        },
        { name: "after", command: "echo passed on: {{previous.result}}" },
      ],
    });
    expect(result.isError, textOf(result)).toBeFalsy();
    const out = structuredOf(result);
    expect(out.tasks?.map((t) => t.summary)).toEqual(["made 2", "passed on: made 2"]);
    const run = await connectToServer((client) =>
      client.request("tasks.get", { run_id: String(out.run_id) }),
    );
    const attempts = run.tasks[0]?.attempts ?? [];
    expect(attempts.map((a) => [a.status, a.reason ?? null])).toEqual([
      ["failed", "verify_failed"],
      ["completed", null],
    ]);
    expect(attempts[0]?.error).toContain("only 1 tries");
  });

  it("start_task_list survives the MCP server; a new one finds the finished list", async () => {
    const first = await mcp();
    const started = await first.call("start_task_list", {
      tasks: [{ command: "sleep 0.5; echo one" }, { command: "echo two" }],
    });
    expect(started.isError).toBeFalsy();
    const runId = String(structuredOf(started).run_id);
    expect(structuredOf(started)).toMatchObject({ status: "running", total: 2 });
    process.kill(first.pid, "SIGKILL");
    expect(await eventually(() => !pidAlive(first.pid))).toBe(true);
    await first.close();

    const second = await mcp();
    const waited = await second.call("get_task_run", { run_id: runId, wait: true });
    expect(waited.isError).toBeFalsy();
    expect(structuredOf(waited)).toMatchObject({ run_id: runId, status: "completed" });
    expect(structuredOf(waited).tasks?.map((t) => t.summary)).toEqual(["one", "two"]);
    const now = await second.call("get_task_run", { run_id: runId });
    expect(structuredOf(now)).toMatchObject({ status: "completed", completed: 2 });
    await second.close();
  });

  it("a second client re-attaches with wait: true and gets progress until the list ends", async () => {
    const watcher = await mcp();
    // Task 1 runs until the watcher has re-attached (its first progress creates the file).
    const go = join(sandbox.cwd, `go-${Date.now()}`);
    const started = await m.call("start_task_list", {
      tasks: [
        {
          name: "nap one",
          command: `for i in $(seq 300); do [ -f ${go} ] && break; sleep 0.1; done; echo woke`,
        },
        { name: "nap two", command: "sleep 0.5; echo rested" },
      ],
    });
    const runId = String(structuredOf(started).run_id);
    const seen: Progress[] = [];
    const waited = await watcher.call(
      "get_task_run",
      { run_id: runId, wait: true },
      {
        onprogress: (p) => {
          seen.push(p);
          writeFileSync(go, "");
        },
      },
    );
    expect(structuredOf(waited)).toMatchObject({ status: "completed", completed: 2 });
    expect(structuredOf(waited).tasks?.map((t) => t.summary)).toEqual(["woke", "rested"]);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i]?.progress).toBeGreaterThan(seen[i - 1]?.progress as number);
    }
    expect(seen.every((p) => p.total === 2)).toBe(true);
    expect(seen[0]?.message).toMatch(/^task 1\/2 'nap one': running, \d+ s$/);
    expect(seen.some((p) => p.message?.includes("task 2/2 'nap two'"))).toBe(true);
    await watcher.close();
  });
});

describe("cancel", () => {
  it("stops a running task list and returns its final state; no step process is left", async () => {
    const marker = uniqueMarker("mcplistcancel");
    const started = await m.call("start_task_list", {
      tasks: [{ command: `sleep 30; echo ${marker}` }, { command: "echo never" }],
    });
    const runId = String(structuredOf(started).run_id);
    expect(await eventually(() => pidsMatching(marker).length > 0)).toBe(true);
    const canceled = await m.call("cancel", { run_id: runId });
    expect(canceled.isError).toBeFalsy();
    expect(structuredOf(canceled)).toEqual({ run_id: runId, status: "canceled" });
    expect(await eventually(() => pidsMatching(marker).length === 0)).toBe(true);
    const run = structuredOf(await m.call("get_task_run", { run_id: runId }));
    expect(run.tasks?.map((t) => t.status)).toEqual(["canceled", "pending"]);
  });

  it("cancelling a run_task_list call cancels the run", async () => {
    const marker = uniqueMarker("mcplistabort");
    const controller = new AbortController();
    let progressed = false;
    const call = m.call(
      "run_task_list",
      { tasks: [{ command: `sleep 30; echo ${marker}` }] },
      {
        signal: controller.signal,
        onprogress: () => {
          progressed = true;
        },
      },
    );
    call.catch(() => {});
    expect(await eventually(() => progressed && pidsMatching(marker).length > 0)).toBe(true);
    controller.abort();
    expect(await eventually(() => pidsMatching(marker).length === 0)).toBe(true);
    const runs = structuredOf(await m.call("list_runs", { limit: 3 }));
    expect((runs.runs as Array<Record<string, unknown>>)[0]?.status).toBe("canceled");
  });
});

describe("with no server running", () => {
  it("starts one in the background that outlives the MCP server", async () => {
    const home = tempDir("cce-mcp-home-");
    let serverPid: number | null = null;
    try {
      const alone = await startMcp(home, { env: { CC_EXECUTOR_PORT: "0" } });
      const result = await alone.call("run_task", { command: "echo first task" });
      expect(structuredOf(result)).toMatchObject({ status: "completed", exit_code: 0 });
      serverPid = (JSON.parse(readFileSync(join(home, "server.json"), "utf8")) as { pid: number })
        .pid;
      await alone.close();
      expect(await eventually(() => !pidAlive(alone.pid))).toBe(true);
      expect(pidAlive(serverPid)).toBe(true);
    } finally {
      if (serverPid !== null) {
        process.kill(serverPid, "SIGTERM");
        await eventually(() => !pidAlive(serverPid as number), 15_000);
      }
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe("bad input is an error result, and the server keeps serving", () => {
  it("answers each mistake with what to do", async () => {
    const neither = await m.call("run_task", {});
    expect(neither.isError).toBe(true);
    expect(textOf(neither)).toMatch(/`prompt`.*`command`/);
    const both = await m.call("run_task", { prompt: "x", command: "y" });
    expect(both.isError).toBe(true);
    expect(textOf(both)).toMatch(/not both/);
    const missing = await m.call("run_task_list", { file: "no-such-list.md" });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toContain("no-such-list.md");
    const file = join(sandbox.cwd, "bad-list.md");
    writeFileSync(file, "# A list\n\nTask 1: do it\ntimout: 5\n");
    const bad = await m.call("run_task_list", { file: "bad-list.md" });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toContain(
      `${file}:4: tasks.1.timout: unknown setting (did you mean timeout?)`,
    );
    expect(textOf(bad).split(`${file}:4`)).toHaveLength(2); // said once
    const wrongType = await m.call("run_task", { command: 42 });
    expect(wrongType.isError).toBe(true);
    const unknownRun = await m.call("get_task_run", { run_id: "nosuchrun" });
    expect(unknownRun.isError).toBe(true);
    expect(textOf(unknownRun)).toContain("nosuchrun");
    const noCwd = await m.call("run_task", { command: "true", cwd: "no/such/dir" });
    expect(noCwd.isError).toBe(true);
    expect(textOf(noCwd)).toContain(join(sandbox.cwd, "no/such/dir"));

    // Still serving.
    const ok = await m.call("run_task", { command: "echo still here" });
    expect(structuredOf(ok).output_tail).toContain("still here");
  });
});
