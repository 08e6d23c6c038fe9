/**
 * A server SIGKILLed during task 2 of a task list (DESIGN §7): the Claude run dies with it, the
 * journal says task 1 finished and task 2 was running; a new server on the same home marks the
 * run interrupted, and `cc-executor tasks resume <id>` runs tasks 2 and 3 — never task 1 again.
 * Real server processes (dist/), the real claude CLI, the mock Anthropic API.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  CLAUDE_BIN,
  type ClaudeSandbox,
  createClaudeSandbox,
} from "./fixtures/mock-anthropic/claude-runner.js";
import {
  firstUserText,
  type MockAnthropic,
  type RecordedRequest,
  readFileReply,
  startMockAnthropic,
  textReply,
  toolResults,
  writeFileReply,
} from "./fixtures/mock-anthropic/index.js";
import { cliEnv, requireBuiltCli, runCli } from "./helpers/cli-process.js";
import { eventually, pidsMatching } from "./helpers/processes.js";
import { RpcSocket } from "./helpers/rpc-socket.js";
import { type ServerProcess, startServerProcess } from "./helpers/server-process.js";

const SERVER_ENV = {
  CC_EXECUTOR_CLAUDE_BIN: CLAUDE_BIN,
  CC_EXECUTOR_CLAUDE_AUTH: "api-key",
  CC_EXECUTOR_KILL_GRACE: "0.5",
};

describe("SIGKILL of the server during a task list", () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it("resumes at task 2 after a restart; task 1 never runs again", async () => {
    requireBuiltCli();
    const mock: MockAnthropic = await startMockAnthropic();
    cleanups.push(() => mock.close());
    const sandbox: ClaudeSandbox = await createClaudeSandbox();
    cleanups.push(() => sandbox.cleanup());
    const notes = join(sandbox.cwd, "notes.md");
    const content = `marker-${process.pid}\n`;
    const prompt = (text: string) => (request: RecordedRequest) =>
      firstUserText(request).startsWith(text);
    const turn = (text: string, answered: boolean) => (request: RecordedRequest) =>
      prompt(text)(request) && toolResults(request).length > 0 === answered;
    mock.when(turn("TASK ONE", false), writeFileReply(notes, content));
    mock.when(turn("TASK ONE", true), textReply("wrote notes.md"));
    // Task 2's first request hangs: the server is killed while the claude process waits on it.
    mock.when(turn("TASK TWO", false), textReply("never", { delayMs: Number.POSITIVE_INFINITY }), {
      times: 1,
    });
    mock.when(turn("TASK TWO", false), readFileReply(notes));
    mock.when(turn("TASK TWO", true), (r) => textReply(`read: ${toolResults(r)[0]?.text}`));
    const list = join(sandbox.cwd, "tasks.json");
    writeFileSync(
      list,
      JSON.stringify({
        name: "crash and resume",
        env: sandbox.env(mock.url),
        allowed_tools: ["Write", "Read"],
        permission_mode: "acceptEdits",
        tasks: [
          { prompt: "TASK ONE: write notes.md" },
          { prompt: "TASK TWO: read notes.md; task 1 said: {{tasks.1.result}}" },
          { command: "grep -c marker- notes.md" },
        ],
      }),
    );

    const first: ServerProcess = await startServerProcess(SERVER_ENV);
    const home = first.home;
    cleanups.push(() => rmSync(home, { recursive: true, force: true }));
    cleanups.push(() => first.cleanup());
    const socket = await RpcSocket.open(first.wsUrl, { token: first.token });
    cleanups.push(() => socket.close());
    const { run_id: runId } = await socket.result<{ run_id: string }>("tasks.run", { path: list });
    await mock.waitForRequest(turn("TASK TWO", false));
    expect(socket.all("task.completed").map((m) => m.params?.index)).toEqual([1]);
    first.child.kill("SIGKILL");
    expect((await first.exited).signal).toBe("SIGKILL");
    // The claude process of task 2 died with its server (no orphan).
    expect(await eventually(() => pidsMatching("TASK TWO").length === 0, 15_000)).toBe(true);

    const env = cliEnv(home);
    // No server holds the run now: its record still says running, status says what is true.
    const gone = await runCli(["tasks", "status", runId], { env });
    expect(gone.stdout).toContain("status: interrupted (server gone) · 1 of 3 completed");
    expect(gone.stdout).toContain(`continue at task 2: cc-executor tasks resume ${runId}`);
    const listed = await runCli(["tasks", "list"], { env });
    expect(listed.stdout).toContain(`${runId}\tinterrupted (server gone)\t1/3`);

    const second = await startServerProcess(SERVER_ENV, { home });
    cleanups.push(() => second.cleanup());
    const status = await runCli(["tasks", "status", runId, "--json"], { env });
    expect(JSON.parse(status.stdout)).toMatchObject({
      status: "interrupted",
      next_task: 2,
      tasks: [{ status: "completed" }, { status: "interrupted" }, { status: "pending" }],
    });

    const resumed = await runCli(["tasks", "resume", runId.slice(0, 20)], { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain("continuing at task 2");
    expect(resumed.stdout).toMatch(/\[3\/3\] grep -c marker- notes.md: completed/);
    expect(resumed.stdout).not.toContain("[1/3]");

    const after = JSON.parse((await runCli(["tasks", "status", runId, "--json"], { env })).stdout);
    expect(after).toMatchObject({ status: "completed", resumes: 1, completed: 3 });
    expect(after.tasks[1].attempts.map((a: { status: string }) => a.status)).toEqual([
      "interrupted",
      "completed",
    ]);
    expect(after.tasks[1].result).toContain(content.trim());
    expect(after.tasks[2].result).toBe("1");
    // Task 1 ran once: its two model turns, and no more.
    expect(mock.messageRequests.filter(prompt("TASK ONE"))).toHaveLength(2);
    expect(mock.messageRequests.filter(prompt("TASK TWO"))).toHaveLength(3);
    expect(firstUserText(mock.messageRequests.filter(prompt("TASK TWO"))[2] as never)).toBe(
      "TASK TWO: read notes.md; task 1 said: wrote notes.md",
    );
    expect(readFileSync(join(home, "runs", runId, "task-3.md"), "utf8")).toContain("completed");
  });
});
