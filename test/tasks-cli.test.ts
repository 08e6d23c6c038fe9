/**
 * `cc-executor tasks …` as a user runs it (the built CLI, its own home, an in-process server):
 * plain progress lines when piped, --json events, exit codes, parse errors with file and line,
 * status and list from the store, Ctrl-C canceling, --detach refused without a server.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliProcess, cliEnv, requireBuiltCli, runCli } from "./helpers/cli-process.js";
import { pidsMatching, uniqueMarker } from "./helpers/processes.js";
import { startServerProcess } from "./helpers/server-process.js";
import { tempDir } from "./helpers/store-fixtures.js";

const home = tempDir("cce-tasks-cli-home-");
const work = tempDir("cce-tasks-cli-");
const env = cliEnv(home.path);

beforeAll(() => requireBuiltCli());
afterAll(() => {
  home.remove();
  work.remove();
});

function list(name: string, value: unknown): string {
  const path = join(work.path, name);
  writeFileSync(path, typeof value === "string" ? value : JSON.stringify(value, null, 2));
  return path;
}

const tasks = (args: string[]) => runCli(["tasks", ...args], { env, cwd: work.path });

describe("cc-executor tasks run", () => {
  it("prints plain progress lines when piped and exits 0 when every task completed", async () => {
    const path = list("ok.json", {
      name: "piped",
      tasks: [
        { name: "greet", command: "echo hello; echo oops >&2" },
        { command: "echo got {{previous.result}}" },
      ],
    });
    const exit = await tasks(["run", path]);
    expect(exit.code, exit.stderr).toBe(0);
    const lines = exit.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^run \S+ "piped": 2 tasks$/);
    // Durations read "44ms", or "1.3s" on a loaded machine.
    expect(lines.slice(1, -1)).toEqual([
      "[1/2] greet: started",
      "[1/2] | hello",
      "[1/2] | oops",
      expect.stringMatching(/^\[1\/2\] greet: completed in (\d+ms|\d+\.\ds) — hello$/),
      "[2/2] echo got {{previous.result}}: started",
      "[2/2] | got hello",
      expect.stringMatching(
        /^\[2\/2\] echo got \{\{previous.result\}\}: completed in (\d+ms|\d+\.\ds) — got hello$/,
      ),
      expect.stringMatching(/^run \S+ completed: 2 of 2 completed$/),
    ]);
    expect(lines.at(-1)).toMatch(/^results: .*\/runs\/\S+$/);
  });

  it("exits 1 when a task failed and says how to continue; --no-output hides output", async () => {
    const path = list(
      "fail.yaml",
      "tasks:\n  - command: echo before\n  - command: exit 5\n  - command: echo after\n",
    );
    const exit = await tasks(["run", "--no-output", path]);
    expect(exit.code).toBe(1);
    expect(exit.stdout).not.toContain("| before");
    expect(exit.stdout).toMatch(/\[2\/3\] exit 5: failed in \d+ms — exited with code 5/);
    expect(exit.stdout).toMatch(/continue at task 2 with: cc-executor tasks resume \S+/);
    expect(exit.stdout).not.toContain("[3/3]");
    const runId = /tasks resume (\S+)/.exec(exit.stdout)?.[1] as string;
    const before = JSON.parse((await tasks(["status", runId, "--json"])).stdout);
    // An ended run stays as it ended: cancel says so (a usage-class exit) and changes nothing.
    const cancel = await tasks(["cancel", runId]);
    expect(cancel.code).toBe(2);
    expect(cancel.stderr).toBe(`cc-executor: task run ${runId} has already ended (failed)\n`);
    const after = JSON.parse((await tasks(["status", runId, "--json"])).stdout);
    expect(after).toEqual(before);
  });

  it("counts tries per resume in TRIES, and shows no child escape sequences in status", async () => {
    const flag = join(work.path, "second-time");
    const path = list("tries.json", {
      tasks: [
        {
          name: "flaky",
          command: `if [ -e ${flag} ]; then printf '\\033]0;pwned\\007\\033[2Jdone\\n'; else touch ${flag}; exit 3; fi`,
        },
      ],
    });
    const first = await tasks(["run", path]);
    expect(first.code).toBe(1);
    const runId = /tasks resume (\S+)/.exec(first.stdout)?.[1] as string;
    const resumed = await tasks(["resume", runId]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const status = await tasks(["status", runId]);
    // Two tries in all, one allowed per run or resume: not "2/1".
    expect(status.stdout).toMatch(/1\tcompleted\tcommand\t2 \(1 per resume\)\t/);
    expect(status.stdout).toContain("\tflaky\tdone");
    expect(status.stdout).not.toContain("\u001b");
    expect(status.stdout).not.toContain("\u0007");
  });

  it("prints one JSON object per event with --json", async () => {
    const path = list(
      "json.md",
      "Task 1: placeholder\n".replace(
        "Task 1: placeholder",
        "## Task 1: say\n```sh\necho json\n```",
      ),
    );
    const exit = await tasks(["run", "--json", path]);
    expect(exit.code, exit.stderr).toBe(0);
    const events = exit.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.map((e) => e.event)).toEqual([
      "started",
      "task.started",
      "output",
      "task.completed",
      "completed",
    ]);
    expect(events[2]).toMatchObject({ index: 1, stream: "stdout", data: "json\n" });
    expect(events[4]).toMatchObject({
      status: "completed",
      success: true,
      tasks: [{ index: 1, name: "say", result: "json" }],
    });
  });

  it("refuses a bad list with every problem's file, line and field (exit 2)", async () => {
    const path = list(
      "bad.md",
      "## Task 1: one\ntimeout: later\nDo it.\n\n## Task 2: two\nUse {{tasks.3.result}}\n",
    );
    const exit = await tasks(["run", path]);
    expect(exit.code).toBe(2);
    expect(exit.stderr).toContain(`${path}:2: tasks.1.timeout: expected seconds`);
    const check = await tasks(["check", path]);
    expect(check.code).toBe(2);
    const fixed = list(
      "good.md",
      "## Task 1: one\ntimeout: 5m\nDo it.\n\n## Task 2: two\n```sh\nls\n```\n",
    );
    const ok = await tasks(["check", fixed]);
    expect(ok.stdout).toBe(`${fixed}: 2 tasks\n  1. claude  one\n  2. command two\n`);
  });

  it("cancels the run on Ctrl-C (exit 130); status then says canceled", async () => {
    const marker = uniqueMarker("clicancel");
    const path = list("long.json", {
      tasks: [{ command: `sleep 30 # ${marker}` }, { command: "true" }],
    });
    const cli = new CliProcess(["tasks", "run", path], { env, cwd: work.path });
    await cli.waitForStdout(/\[1\/2\] .*: started/);
    cli.kill("SIGINT");
    const exit = await cli.exited;
    expect(exit.code).toBe(130);
    expect(exit.stdout).toMatch(/run \S+ canceled: 0 of 2 completed, 1 not run/);
    expect(pidsMatching(marker)).toEqual([]);
    const status = await tasks(["status", "--json"]);
    expect(JSON.parse(status.stdout)).toMatchObject({ status: "canceled", next_task: 1 });
  });

  it("refuses --detach when no server runs", async () => {
    const path = list("detach.json", { tasks: [{ command: "true" }] });
    const exit = await tasks(["run", "--detach", path]);
    expect(exit.code).toBe(2);
    expect(exit.stderr).toContain("--detach needs a running server");
  });
});

describe("cc-executor tasks run losing its server", () => {
  it("says at once that it reconnects; on giving up prints the run and the resume line (exit 75)", async () => {
    const server = await startServerProcess();
    try {
      const marker = uniqueMarker("lostserver");
      const path = list("lost.json", { tasks: [{ command: `sleep 30 # ${marker}` }] });
      const cliEnvOfServer = { ...cliEnv(server.home), CC_EXECUTOR_RECONNECT_TIMEOUT: "2" };
      const cli = new CliProcess(["tasks", "run", path], { env: cliEnvOfServer, cwd: work.path });
      await cli.waitForStdout(/\[1\/1\] .*: started/);
      server.child.kill("SIGKILL");
      await cli.waitForStdout(/connection to the server lost; reconnecting/);
      const exit = await cli.exited;
      expect(exit.code).toBe(75);
      const runId = /^run ([^\s:]+)/.exec(exit.stdout)?.[1] as string;
      expect(exit.stderr).toContain(`cc-executor: lost the server while run ${runId} ran`);
      expect(exit.stderr).toContain(`continue it with: cc-executor tasks resume ${runId}`);
      expect(exit.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await server.cleanup();
    }
  });
});

describe("cc-executor tasks status and list", () => {
  it("show runs from the store, by id or unique prefix, as tables or JSON", async () => {
    const path = list("listed.json", { name: "listed run", tasks: [{ command: "echo listed" }] });
    const run = await tasks(["run", "--json", path]);
    const runId = String(JSON.parse(run.stdout.split("\n")[0] ?? "{}").run_id);
    const listing = await tasks(["list", "--limit", "50"]);
    expect(listing.stdout.split("\n")[0]).toBe("CREATED\tRUN\tSTATUS\tDONE\tFAILED\tCOST\tNAME");
    expect(listing.stdout).toContain(`${runId}\tcompleted\t1/1\t0\t-\tlisted run`);
    const status = await tasks(["status", runId.slice(0, 19)]);
    expect(status.stdout).toContain(`run ${runId} — listed run`);
    expect(status.stdout).toMatch(/1\tcompleted\tcommand\t1\/1\t\d+ms\t-\techo listed\tlisted/);
    const json = await tasks(["list", "--json", "--status", "completed"]);
    expect(JSON.parse(json.stdout).map((r: { run_id: string }) => r.run_id)).toContain(runId);
    const unknown = await tasks(["status", "no-such-run"]);
    expect(unknown.code).toBe(4);
  });
});
