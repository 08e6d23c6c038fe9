/**
 * Task lists with Claude tasks: the real `claude` CLI (node_modules/.bin/claude) against the mock
 * Anthropic API, through a real server (DESIGN §7, §9). Task 1 writes a file with the Write tool,
 * task 2 reads it and gets task 1's answer through {{tasks.1.result}}, task 3 is a shell command
 * that checks the file. Then Claude tasks that fail, with and without continue_on_failure.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  authenticationError,
  firstUserText,
  readFileReply,
  textReply,
  toolResults,
  writeFileReply,
} from "./fixtures/mock-anthropic/index.js";
import { type ClaudeHarness, startClaudeHarness } from "./helpers/claude-server.js";

let h: ClaudeHarness;

beforeAll(async () => {
  h = await startClaudeHarness();
});
afterAll(async () => {
  await h?.stop();
});
beforeEach(() => {
  h.mock.reset();
  h.mock.setDefault(textReply("OK"));
});

type Params = Record<string, unknown>;

async function runAndWait(params: Params): Promise<{ runId: string; done: Params }> {
  const reply = await h.socket.call("tasks.run", params);
  if (reply.error) throw new Error(`tasks.run failed: ${reply.error.message}`);
  const runId = (reply.result as { run_id: string }).run_id;
  const done = await h.socket.waitFor(
    (m) => m.method === "tasklist.completed" && m.params?.run_id === runId,
  );
  return { runId, done: done.params as Params };
}

describe("a task list of Claude tasks and a command, from a Markdown file", () => {
  it("writes, reads with the earlier result, checks — in order, each a fresh claude", async () => {
    const notes = join(h.sandbox.cwd, "notes.md");
    const content = `# Notes\nmarker-${Date.now()}\n`;
    // Task 1: the model writes notes.md, then answers.
    h.mock.enqueue(writeFileReply(notes, content));
    h.mock.enqueue(textReply("Created notes.md with a marker line."));
    // Task 2: the model reads it and quotes what it read.
    h.mock.enqueue(readFileReply(notes));
    h.mock.enqueue((request) => textReply(`notes.md says: ${toolResults(request)[0]?.text}`));
    const file = join(h.sandbox.cwd, "tasks.md");
    const env = JSON.stringify(h.env());
    writeFileSync(
      file,
      [
        "---",
        "name: write, read, check",
        `env: ${env}`,
        "allowed_tools: [Write, Read]",
        "permission_mode: acceptEdits",
        "timeout: 2m",
        "---",
        "",
        "## Task 1: Write the notes",
        "Create notes.md in the current folder with a marker line.",
        "",
        "## Task 2: Read them back",
        "Read notes.md. The previous task reported: {{tasks.1.result}}",
        "",
        "## Task 3: Check the file",
        "```sh",
        "grep -c marker- notes.md",
        "```",
        "",
      ].join("\n"),
    );
    const { runId, done } = await runAndWait({ path: file });
    expect(done).toMatchObject({ status: "completed", completed: 3, failed: 0 });
    expect(readFileSync(notes, "utf8")).toBe(content);

    const requests = h.mock.messageRequests;
    expect(requests).toHaveLength(4);
    // Task 2's prompt reached the CLI with task 1's answer filled in.
    expect(firstUserText(requests[2] as never)).toBe(
      "Read notes.md. The previous task reported: Created notes.md with a marker line.",
    );
    // Fresh context: task 2's first request holds only its own prompt, not task 1's turns.
    expect(requests[2]?.body?.messages?.filter((m) => m.role === "assistant")).toEqual([]);

    const run = await h.socket.result<Params & { tasks: Params[] }>("tasks.get", { run_id: runId });
    expect(run.tasks.map((t) => [t.kind, t.status])).toEqual([
      ["prompt", "completed"],
      ["prompt", "completed"],
      ["command", "completed"],
    ]);
    expect(run.tasks[0]?.result).toBe("Created notes.md with a marker line.");
    expect(run.tasks[1]?.result).toContain(content.split("\n")[1]);
    expect(run.tasks[2]?.result).toBe("1");
    const sessions = run.tasks.slice(0, 2).map((t) => t.claude_session_id);
    expect(sessions[0]).toEqual(expect.any(String));
    expect(sessions[1]).not.toBe(sessions[0]);
    expect(Number(run.cost_usd)).toBeGreaterThan(0);
    // Each result is in runs/<id>/task-N.json and .md, for people and for later tasks.
    const dir = String(run.run_dir);
    const task2 = JSON.parse(readFileSync(join(dir, "task-2.json"), "utf8"));
    expect(task2).toMatchObject({
      kind: "prompt",
      status: "completed",
      result: run.tasks[1]?.result,
    });
    expect(readFileSync(join(dir, "task-1.md"), "utf8")).toContain(
      "Created notes.md with a marker line.",
    );
    // The steps are ordinary Claude executions: their stream-json output went to the caller.
    const step1 = attemptsOf(run.tasks[0])[0]?.execution_id as string;
    expect(h.socket.output(step1)).toContain('"type":"result"');
  });
});

describe("a Claude answer over 64 KiB", () => {
  it("is kept as its first and last 32 KiB around one marker, with its full size, and templated so", async () => {
    // Multi-byte characters all along, so both cuts fall next to (or inside) one.
    const answer = Array.from({ length: 6000 }, (_, i) => `line ${i + 1}: ünïcödé 😀`).join("\n");
    const answerBytes = Buffer.byteLength(answer);
    h.mock.setDefault(textReply(answer, { chunkChars: 4096 }));
    const { runId, done } = await runAndWait({
      list: {
        env: h.env(),
        tasks: [
          { prompt: "Write a long answer" },
          { command: "printf '%s' {{previous.result}} | wc -c" },
        ],
      },
      base_dir: h.sandbox.cwd,
    });
    expect(done.status).toBe("completed");
    const run = await h.socket.result<Params & { tasks: Params[] }>("tasks.get", { run_id: runId });
    expect(run.tasks[0]?.result_bytes).toBe(answerBytes);
    const result = String(run.tasks[0]?.result);
    const match = /^([\s\S]*)\n\[… (\d+) bytes left out …\]\n([\s\S]*)$/.exec(result);
    const [, head = "", omitted = "", tail = ""] = match ?? [];
    const half = 32 * 1024;
    // Whole characters only, at most 32 KiB each side, and the marker counts the rest exactly.
    expect(result).not.toContain("\uFFFD");
    expect(answer.startsWith(head)).toBe(true);
    expect(answer.endsWith(tail)).toBe(true);
    for (const side of [head, tail]) {
      expect(Buffer.byteLength(side)).toBeLessThanOrEqual(half);
      expect(Buffer.byteLength(side)).toBeGreaterThan(half - 4);
    }
    expect(Number(omitted)).toBe(answerBytes - Buffer.byteLength(head) - Buffer.byteLength(tail));
    expect(run.tasks[1]?.result).toBe(String(Buffer.byteLength(result)));
    // The run's folder keeps the whole answer, for people and for {{tasks.N.file}}.
    const task1 = JSON.parse(readFileSync(join(String(run.run_dir), "task-1.json"), "utf8"));
    expect(task1).toMatchObject({ result: answer, result_bytes: answerBytes });
  });
});

describe("a failing Claude task", () => {
  const list = (continueOnFailure: boolean) => ({
    list: {
      env: h.env(),
      continue_on_failure: continueOnFailure,
      tasks: [
        { name: "bad key", prompt: "Say hello" },
        { command: "echo after {{previous.status}}" },
      ],
    },
    base_dir: h.sandbox.cwd,
  });

  it("stops the list", async () => {
    h.mock.setDefault(authenticationError());
    const { runId, done } = await runAndWait(list(false));
    expect(done).toMatchObject({ status: "failed", completed: 0, failed: 1, not_run: 1 });
    const run = await h.socket.result<{ tasks: Params[] }>("tasks.get", { run_id: runId });
    expect(run.tasks[0]).toMatchObject({ status: "failed", error: expect.any(String) });
    expect(run.tasks[1]?.status).toBe("pending");
  });

  it("is passed over with continue_on_failure", async () => {
    h.mock.setDefault(authenticationError());
    const { runId, done } = await runAndWait(list(true));
    expect(done).toMatchObject({ status: "failed", completed: 1, failed: 1, not_run: 0 });
    const run = await h.socket.result<{ tasks: Params[] }>("tasks.get", { run_id: runId });
    expect(run.tasks[1]).toMatchObject({ status: "completed", result: "after failed" });
  });
});

function attemptsOf(task: Record<string, unknown> | undefined): Array<Record<string, unknown>> {
  return (task?.attempts ?? []) as Array<Record<string, unknown>>;
}
