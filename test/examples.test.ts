/**
 * The examples and `npm run demo` (examples/demo.mjs) as documented: every example list reads;
 * the demo, with a Claude CLI that is not logged in, says so and runs the three dependent Claude
 * tasks of examples/basic through the real CLI against the offline model (scripted answers, real
 * tools, real files); with a Claude CLI that can answer (the real CLI, API-key mode, against the
 * mock API) it runs them with that model.
 */
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTaskListFile } from "../src/tasks/load-task-list.js";
import { CLAUDE_BIN, createClaudeSandbox } from "./fixtures/mock-anthropic/claude-runner.js";
import { firstUserText, startMockAnthropic, textReply } from "./fixtures/mock-anthropic/index.js";
import { cliEnv, requireBuiltCli, runCli } from "./helpers/cli-process.js";
import { tempDir } from "./helpers/store-fixtures.js";

const ROOT = join(import.meta.dirname, "..");
const home = tempDir("cce-examples-home-");
const userHome = tempDir("cce-examples-user-");

beforeAll(() => requireBuiltCli());
afterAll(() => {
  home.remove();
  userHome.remove();
});

function demo(
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, [join(ROOT, "examples", "demo.mjs")], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let stdout = "";
  child.stdout.setEncoding("utf8").on("data", (text: string) => {
    stdout += text;
  });
  return new Promise((resolve) =>
    child.once("close", (code) => resolve({ code, stdout, ms: Date.now() - started })),
  );
}

describe("examples", () => {
  it.each(["basic/tasks.md", "advanced/tasks.yaml", "commands/tasks.json"])(
    "%s is a valid task list",
    async (file) => {
      const exit = await runCli(["tasks", "check", join(ROOT, "examples", file)], {
        env: cliEnv(home.path),
      });
      expect(exit.code, exit.stderr).toBe(0);
    },
  );

  it("advanced: the 'Run it' task fails when the script fails (no pipeline hides it)", async () => {
    const list = await loadTaskListFile(join(ROOT, "examples", "advanced", "tasks.yaml"));
    const runIt = list.tasks.find((task) => task.name === "Run it (command)");
    const work = tempDir("cce-examples-run-");
    try {
      writeFileSync(join(work.path, "sysinfo.py"), "raise SystemExit(3)\n");
      const failing = spawnSync("sh", ["-c", runIt?.text ?? "false"], { cwd: work.path });
      expect(failing.status).not.toBe(0);
      writeFileSync(join(work.path, "sysinfo.py"), "print('{\"ok\": true}')\n");
      const passing = spawnSync("sh", ["-c", runIt?.text ?? "false"], { cwd: work.path });
      expect(passing.status).toBe(0);
      expect(passing.stdout.toString()).toBe('{"ok": true}\n');
    } finally {
      work.remove();
    }
  });
});

describe("npm run demo", () => {
  it("without a Claude login: runs the Claude tasks in order through the real CLI and the offline model", async () => {
    // A fresh HOME: the CLI in node_modules/.bin has no login there, and no API key counts.
    const env = {
      ...cliEnv(home.path),
      HOME: userHome.path,
      ANTHROPIC_API_KEY: "sk-not-used-in-subscription-mode",
    };
    const run = await demo(env);
    const work = /The tasks' files are in (\S+)\/basic\/workspace/.exec(run.stdout)?.[1];
    try {
      expect(run.code, run.stdout).toBe(0);
      expect(run.stdout).toContain(
        "no Claude login found: using the offline model (scripted answers)",
      );
      expect(run.stdout).toContain(`Claude Code CLI: ${CLAUDE_BIN}, not logged in`);
      expect(run.stdout).toContain("ANTHROPIC_API_KEY is set, but is used only with");
      expect(run.stdout).toMatch(/run \S+ completed: 3 of 3 completed/);
      // In order, each started after the one before it completed.
      const order = [
        "[1/3] Create the TODO module: started",
        "[1/3] Create the TODO module: completed",
        "[2/3] Write tests for it: started",
        "[2/3] Write tests for it: completed",
        "[3/3] Add a feature and keep the tests green: started",
        "[3/3] Add a feature and keep the tests green: completed",
      ].map((line) => run.stdout.indexOf(line));
      expect(order.every((at) => at >= 0)).toBe(true);
      expect(order).toEqual([...order].sort((a, b) => a - b));
      // Task 1's answer reached task 2's prompt ({{tasks.1.result}}), which quotes it.
      expect(run.stdout).toContain(
        '[2/3] | Task 1 reported: "Created todo.py with the functions add(title), list_items() and done(item_id)"',
      );
      // Real tools on real files: task 3 changed what tasks 1 and 2 wrote, and the tests ran.
      expect(run.stdout).toContain("[2/3] | 3 tests pass.");
      expect(run.stdout).toContain("[3/3] | 4 tests pass.");
      expect(work).toBeDefined();
      const workspace = join(work as string, "basic", "workspace");
      expect(readFileSync(join(workspace, "todo.py"), "utf8")).toContain("def remove(item_id):");
      expect(readFileSync(join(workspace, "test_todo.py"), "utf8")).toContain("test_remove");
      expect(run.stdout).toContain("To run the Claude tasks with a real model");
    } finally {
      if (work) rmSync(work, { recursive: true, force: true });
    }
  }, 120_000);

  it("with a Claude that answers: runs the three dependent Claude tasks of examples/basic", async () => {
    const mock = await startMockAnthropic();
    const sandbox = await createClaudeSandbox();
    try {
      mock.setDefault((request) => textReply(`done: ${firstUserText(request).split("\n")[0]}`));
      const env = {
        ...cliEnv(home.path),
        ...sandbox.env(mock.url),
        CC_EXECUTOR_CLAUDE_AUTH: "api-key",
      };
      const run = await demo(env);
      expect(run.code, run.stdout).toBe(0);
      expect(run.stdout).toContain("logged in (api_key)");
      expect(run.stdout).toContain("Running examples/basic/tasks.md");
      expect(run.stdout).toMatch(/run \S+ completed: 3 of 3 completed/);
      const prompts = mock.messageRequests.map((r) => firstUserText(r));
      expect(prompts).toHaveLength(3);
      expect(prompts[1]).toContain(
        "The previous task reported: done: Create `todo.py` in the current folder",
      );
      expect(run.stdout).not.toContain("To run the Claude tasks");
      expect(run.stdout).not.toContain("offline model");
    } finally {
      await mock.close();
      await sandbox.cleanup();
    }
  });
});
