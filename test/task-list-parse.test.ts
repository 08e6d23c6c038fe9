/**
 * Task-list files (DESIGN §7): Markdown (`Task N:` items, `## Task` headings, settings lines,
 * shell fences, front matter), JSON and YAML, all through one schema — and every refusal naming
 * file, line and field.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadTaskListFile, resolveTaskList } from "../src/tasks/load-task-list.js";
import { TaskListError } from "../src/tasks/task-list-error.js";
import { renderTemplate, shellQuote } from "../src/tasks/templating.js";
import { tempDir } from "./helpers/store-fixtures.js";

const dir = tempDir("cce-parse-");
afterAll(() => dir.remove());

let files = 0;
function file(ext: string, text: string): string {
  const path = join(dir.path, `list-${++files}.${ext}`);
  writeFileSync(path, text);
  return path;
}

async function issuesOf(path: string): Promise<string[]> {
  try {
    await loadTaskListFile(path);
  } catch (error) {
    if (error instanceof TaskListError) {
      return error.issues.map((i) => `${i.line}: ${i.field ?? "-"}: ${i.message}`);
    }
    throw error;
  }
  throw new Error(`${path} was accepted`);
}

describe("Markdown task lists", () => {
  it("reads `verify` as a setting: the list's default, a task's own winning", async () => {
    const path = file(
      "md",
      [
        "---",
        "verify: test -s out.txt",
        "---",
        "Task 1: Write out.txt",
        "Task 2: Write the tests",
        "verify: npm test",
      ].join("\n"),
    );
    const list = await loadTaskListFile(path);
    expect(list.tasks.map((t) => t.verify)).toEqual(["test -s out.txt", "npm test"]);
    expect(await issuesOf(file("md", "Task 1: x\nverfy: true\n"))).toEqual([
      expect.stringMatching(/^2: .*verify/),
    ]);
  });

  it("reads `Task N:` items with settings lines, a title, and a shell fence", async () => {
    const path = file(
      "md",
      [
        "# Build a TODO module",
        "",
        "Some introduction that is not a task.",
        "",
        "Task 1: Create todo.py with add() and list()",
        "  timeout: 10m",
        "  allowed_tools: Write, Read",
        "  Keep it small.",
        "",
        "**Task 2:** Write tests for {{tasks.1.result}}",
        "model: sonnet",
        "",
        "- Task 3 (check): Run them",
        "  ```bash",
        "  python3 -m pytest -q",
        "  ```",
      ].join("\n"),
    );
    const list = await loadTaskListFile(path);
    expect(list).toMatchObject({
      name: "Build a TODO module",
      format: "markdown",
      baseDir: dir.path,
    });
    expect(list.tasks.map((t) => [t.kind, t.name, t.text, t.line])).toEqual([
      ["prompt", null, "Create todo.py with add() and list()\nKeep it small.", 5],
      ["prompt", null, "Write tests for {{tasks.1.result}}", 10],
      ["command", "Run them", "python3 -m pytest -q", 13],
    ]);
    expect(list.tasks[0]).toMatchObject({ timeoutMs: 600_000, allowedTools: ["Write", "Read"] });
    expect(list.tasks[1]?.model).toBe("sonnet");
    expect(list.tasks[2]?.cwd).toBe(dir.path);
  });

  it("reads a `command:` setting on a `Task N:` item: the words after the colon name it", async () => {
    const path = file(
      "md",
      ["Task 1: list files", "command: ls -la", "", "- Task 2: greet", "  command: echo hi"].join(
        "\n",
      ),
    );
    const list = await loadTaskListFile(path);
    expect(list.tasks.map((t) => [t.kind, t.name, t.text, t.line])).toEqual([
      ["command", "list files", "ls -la", 1],
      ["command", "greet", "echo hi", 4],
    ]);
    // Text after the settings as well as a command is still both, and refused.
    const both = file("md", ["Task 1: list", "command: ls", "and also this prompt"].join("\n"));
    expect(await issuesOf(both)).toEqual([
      expect.stringContaining("tasks.1.command: a task has a prompt or a command, not both"),
    ]);
  });

  it("reads `## Task` headings, front matter defaults, and leaves fenced `Task N:` lines alone", async () => {
    const path = file(
      "md",
      [
        "---",
        "name: From headings",
        "cwd: work",
        "retries: 2",
        "continue_on_failure: true",
        "env: { MODE: test }",
        "---",
        "## Task 1: Create the module",
        "verify_uuid: true",
        "",
        "Create todo.py.",
        "",
        "```text",
        "Task 9: this is an example inside a fence",
        "```",
        "",
        "### Details",
        "Deeper headings belong to the task.",
        "",
        "## Task 2: Check",
        "command: test -f todo.py",
        "retries: 0",
        "",
        "## Notes",
        "Not a task, and not part of task 2.",
      ].join("\n"),
    );
    const list = await loadTaskListFile(path);
    expect(list.name).toBe("From headings");
    expect(list.continueOnFailure).toBe(true);
    const [first, second] = list.tasks;
    expect(first).toMatchObject({
      name: "Create the module",
      kind: "prompt",
      verifyUuid: true,
      retries: 2,
      cwd: join(dir.path, "work"),
      env: { MODE: "test" },
      continueOnFailure: true,
      line: 8,
    });
    expect(first?.text).toContain("Task 9: this is an example inside a fence");
    expect(first?.text).toContain("Deeper headings belong to the task.");
    expect(list.tasks).toHaveLength(2);
    expect(second).toMatchObject({
      name: "Check",
      kind: "command",
      text: "test -f todo.py",
      retries: 0,
    });
  });

  it("names the line and field of each mistake", async () => {
    expect(await issuesOf(file("md", "Task 1: one\nTask 3: three\n"))).toEqual([
      "2: tasks.2: this is task 2 of the list but says Task 3: number tasks 1, 2, 3… in order (templates such as {{tasks.N.result}} count by position)",
    ]);
    expect(await issuesOf(file("md", "## Task 1: a\ntimout: 5\nDo it\n"))).toEqual([
      "2: tasks.1.timout: unknown setting (did you mean timeout?)",
    ]);
    expect(
      await issuesOf(
        file("md", "## Task 1: a\nDo it\n\n## Task 2: b\ntimeout: soon\nDo {{tasks.1.reslt}}\n"),
      ),
    ).toEqual([
      "5: tasks.2.timeout: expected seconds: a number, or a duration such as 90s, 15m, 2h",
    ]);
    expect(
      await issuesOf(
        file("md", "Task 1: uses {{previous.result}}\nTask 2: then\n  {{tasks.3.result}}\n"),
      ),
    ).toEqual([
      "1: tasks.1.prompt: {{previous.result}}: the first task has no previous task",
      "3: tasks.2.prompt: {{tasks.3.result}}: task 2 can only use tasks that run before it (tasks 1–1)",
    ]);
    expect(await issuesOf(file("md", "# Only a title\n\nNo tasks here.\n"))).toEqual([
      "null: tasks: no tasks found: write `Task 1: …` lines or `## Task 1: …` headings",
    ]);
    expect(await issuesOf(file("md", "---\nname: [unclosed\n---\nTask 1: x\n"))).toEqual([
      expect.stringMatching(/^2: -: front matter is not valid YAML/),
    ]);
    expect(await issuesOf(file("md", "## Task 1: empty\n\n## Task 2: fine\nok\n"))).toEqual([
      "1: tasks.1.prompt: a task needs a prompt (a Claude task) or a command (a shell command), not empty",
    ]);
  });
});

describe("JSON and YAML task lists", () => {
  it("read the same schema: settings, string tasks, defaults", async () => {
    const yaml = await loadTaskListFile(
      file(
        "yaml",
        [
          "name: mixed",
          "timeout: 90s",
          "allowed_tools: [Write]",
          "tasks:",
          "  - Task 1: Write the plan",
          "  - name: Check",
          "    command: ls",
          "    timeout: 5",
          "  - prompt: |",
          "      Review {{tasks.1.result}}",
          "    model: opus",
        ].join("\n"),
      ),
    );
    expect(yaml.tasks.map((t) => [t.kind, t.text, t.timeoutMs, t.line])).toEqual([
      ["prompt", "Write the plan", 90_000, 5],
      ["command", "ls", 5000, 6],
      ["prompt", "Review {{tasks.1.result}}", 90_000, 9],
    ]);
    const json = await loadTaskListFile(
      file("json", JSON.stringify({ tasks: [{ command: "true" }], retry_delay: "1m" }, null, 2)),
    );
    expect(json).toMatchObject({ format: "json", retryDelayMs: 60_000 });
    expect(json.tasks[0]).toMatchObject({ kind: "command", timeoutMs: null, retries: 0 });
  });

  it("name the line and field of each mistake", async () => {
    expect(
      await issuesOf(
        file("yaml", "tasks:\n  - prompt: a\n    idle-timeout: 5\n  - prompt: b\n    command: c\n"),
      ),
    ).toEqual([
      "3: tasks.1.idle-timeout: unknown setting (did you mean idle_timeout?)",
      "5: tasks.2.command: a task has a prompt or a command, not both",
    ]);
    expect(await issuesOf(file("yaml", "tasks:\n  - prompt: a\n  prompt: b\n"))).toEqual([
      expect.stringMatching(/^3: -: not valid YAML/),
    ]);
    expect(await issuesOf(file("json", '{\n  "tasks": [\n    {"command": "x",}\n  ]\n}'))).toEqual([
      expect.stringMatching(/^3: -: not valid JSON/),
    ]);
    expect(
      await issuesOf(file("json", '{\n  "tasks": [\n    {"command": "x", "retries": -1}\n  ]\n}')),
    ).toEqual([expect.stringMatching(/^3: tasks\.1\.retries: /)]);
    expect(await issuesOf(file("json", '{"tasks": []}'))).toEqual([
      "1: tasks: a task list needs at least one task",
    ]);
    expect(await issuesOf(file("txt", "Task 1: x"))).toEqual([
      'null: -: unknown task list format ".txt": use .md, .json, .yaml or .yml',
    ]);
  });
});

describe("API values and templates", () => {
  it("resolves an inline list against a base directory", () => {
    const list = resolveTaskList(
      ["Task 1: first", { command: "echo {{previous.result}}", cwd: "sub" }],
      {
        source: null,
        file: null,
        format: "inline",
        baseDir: "/srv/work",
      },
    );
    expect(list.tasks.map((t) => [t.kind, t.text, t.cwd])).toEqual([
      ["prompt", "first", "/srv/work"],
      ["command", "echo {{previous.result}}", "/srv/work/sub"],
    ]);
  });

  it("fills in results: as text in prompts, as one quoted word in commands", () => {
    const context = {
      runId: "r1",
      runDir: "/home/x/runs/r1",
      index: 1,
      task: () => ({
        result: "it's $(done)",
        status: "completed",
        exitCode: 0,
        file: "/home/x/runs/r1/task-1.md",
        json: "/home/x/runs/r1/task-1.json",
      }),
    };
    expect(renderTemplate("Saw: {{tasks.1.result}} ({{ previous.status }})", context, false)).toBe(
      "Saw: it's $(done) (completed)",
    );
    expect(renderTemplate("echo {{previous.result}} > {{run.dir}}/x", context, true)).toBe(
      `echo ${shellQuote("it's $(done)")} > '/home/x/runs/r1'/x`,
    );
    expect(renderTemplate("keep {{other.thing}} and {{ something }}", context, false)).toBe(
      "keep {{other.thing}} and {{ something }}",
    );
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });
});
