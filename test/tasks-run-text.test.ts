/**
 * `tasks.run {text, format}` (docs/protocol.md): a list's text, as a browser pastes it, read by
 * the server with the file parsers (Markdown, YAML, JSON), with the same errors as a file, over a
 * real socket against a real server.
 */
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RpcSocket } from "./helpers/rpc-socket.js";
import { startTestServer, type TestServer, tempDir } from "./helpers/test-server.js";

let server: TestServer;
let socket: RpcSocket;
let scratch: string;

beforeAll(async () => {
  server = await startTestServer();
  scratch = tempDir("cce-tasks-text-");
  socket = await RpcSocket.open(server.wsUrl, { token: server.token });
});
afterAll(async () => {
  socket?.close();
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

type Params = Record<string, unknown>;

async function runText(text: string, format: string): Promise<Params> {
  const { run_id } = await socket.result<{ run_id: string }>("tasks.run", {
    text,
    format,
    base_dir: scratch,
  });
  await socket.waitFor((m) => m.method === "tasklist.completed" && m.params?.run_id === run_id);
  return socket.result<Params>("tasks.get", { run_id });
}

const results = (run: Params) =>
  (run.tasks as Array<{ result: string; status: string }>).map((t) => [t.status, t.result.trim()]);

describe("tasks.run with a list's text", () => {
  it("runs a Markdown list, its commands in order, templates filled in", async () => {
    const markdown = [
      "# pasted",
      "",
      "Task 1: first",
      "command: echo one",
      "",
      "Task 2: second",
      "command: echo got {{tasks.1.result}}",
      "",
    ].join("\n");
    const run = await runText(markdown, "markdown");
    expect(run).toMatchObject({ name: "pasted", status: "completed", format: "markdown" });
    expect(run.source).toBeNull();
    expect(results(run)).toEqual([
      ["completed", "one"],
      ["completed", "got one"],
    ]);
  });

  it("runs a YAML list and a JSON one", async () => {
    const yaml = "name: from-yaml\ntasks:\n  - command: echo y1\n  - command: echo y2\n";
    expect(results(await runText(yaml, "yaml"))).toEqual([
      ["completed", "y1"],
      ["completed", "y2"],
    ]);
    const json = JSON.stringify([{ command: "echo j1" }]);
    const run = await runText(json, "json");
    expect(run.format).toBe("json");
    expect(results(run)).toEqual([["completed", "j1"]]);
  });

  it("answers -32602 with the parser's line and field for a bad list", async () => {
    const reply = await socket.call("tasks.run", {
      text: "tasks:\n  - command: echo hi\n  - prompt: hello\n    timeout: soon\n",
      format: "yaml",
    });
    expect(reply.error?.code).toBe(-32602);
    expect(reply.error?.message).toContain("Invalid task list: task list:4: tasks.2.timeout");
    const issues = (reply.error?.data as { issues?: Params[] } | undefined)?.issues ?? [];
    expect(issues[0]).toMatchObject({ file: null, line: 4, field: "tasks.2.timeout" });

    const markdown = await socket.call("tasks.run", {
      text: "Task 1: one\ntimout: 5\n",
      format: "markdown",
    });
    expect(markdown.error?.code).toBe(-32602);
    expect(markdown.error?.message).toMatch(/task list:2: .*timout/);
  });

  it("refuses text without a format, a format without text, and two sources", async () => {
    for (const params of [
      { text: "Task 1: hi" },
      { list: [{ command: "true" }], format: "json" },
      { text: "[]", format: "json", list: [] },
      { text: "Task 1: hi", format: "toml" },
    ]) {
      const reply = await socket.call("tasks.run", params);
      expect(reply.error?.code, JSON.stringify(params)).toBe(-32602);
    }
  });
});
