import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { CliError } from "../src/cli/cli-error.js";
import { historyTable, registerHistoryCommands } from "../src/cli/history-command.js";
import { renderTable } from "../src/cli/history-format.js";
import { toWireExecution } from "../src/store/record-wire.js";
import { SqliteStore } from "../src/store/sqlite/sqlite-store.js";
import { executionRecord, tempDir } from "./helpers/store-fixtures.js";

const T0 = Date.parse("2026-02-01T10:00:00Z");
const ROWS = 2500;

describe("cc-executor history (reads the store directly, no server)", () => {
  const home = tempDir("cce-history-cli-");
  const saved = { home: process.env.CC_EXECUTOR_HOME, redis: process.env.REDIS_URL };

  beforeAll(async () => {
    process.env.CC_EXECUTOR_HOME = home.path;
    delete process.env.REDIS_URL;
    const store = new SqliteStore(join(home.path, "history.db"));
    const records = Array.from({ length: ROWS }, (_, i) =>
      executionRecord({
        executionId: `run-${String(i).padStart(4, "0")}`,
        createdAtMs: T0 + i * 1000,
        status: i % 10 === 0 ? "failed" : "completed",
        exitCode: i % 10 === 0 ? 2 : 0,
        command: i === ROWS - 1 ? 'echo "a, b"\necho done' : `make step-${i % 3}`,
        output: { encoding: "utf8", head: `out ${i}\n`, tail: "", omittedBytes: 0 },
      }),
    );
    await store.apply(records.map((record) => ({ type: "execution" as const, record })));
    await store.close();
  });
  afterAll(() => {
    if (saved.home === undefined) delete process.env.CC_EXECUTOR_HOME;
    else process.env.CC_EXECUTOR_HOME = saved.home;
    if (saved.redis !== undefined) process.env.REDIS_URL = saved.redis;
    home.remove();
  });

  async function run(...args: string[]): Promise<string> {
    const program = new Command().exitOverride();
    registerHistoryCommands(program);
    let out = "";
    const write = vi
      .spyOn(process.stdout, "write")
      .mockImplementation((chunk: string | Uint8Array) => {
        out += chunk.toString();
        return true;
      });
    try {
      await program.parseAsync(["node", "cc-executor", "history", ...args]);
    } finally {
      write.mockRestore();
    }
    return out;
  }

  it("lists the newest executions, tab-separated when piped", async () => {
    const lines = (await run("list", "--limit", "3")).trimEnd().split("\n");
    expect(lines[0]?.split("\t")).toEqual([
      "CREATED",
      "ID",
      "KIND",
      "STATUS",
      "EXIT",
      "DURATION",
      "COST",
      "COMMAND",
    ]);
    expect(lines.slice(1).map((l) => l.split("\t")[1])).toEqual([
      "run-2499",
      "run-2498",
      "run-2497",
    ]);
    expect(lines[1]).toContain('echo "a, b" echo done');
  });

  it("filters and prints JSON", async () => {
    const rows = JSON.parse(await run("list", "--status", "failed", "--limit", "2", "--json"));
    expect(rows.map((r: { execution_id: string }) => r.execution_id)).toEqual([
      "run-2490",
      "run-2480",
    ]);
    expect(rows[0]).toMatchObject({ status: "failed", exit_code: 2, kind: "command" });
    const since = JSON.parse(await run("list", "--since", "2026-02-01T10:41:38Z", "--json"));
    expect(since).toHaveLength(2);
    await expect(run("list", "--status", "bogus")).rejects.toBeInstanceOf(CliError);
  });

  it("shows one execution with its output", async () => {
    const text = await run("show", "run-0007");
    expect(text).toMatch(/^execution\s+run-0007$/m);
    expect(text).toMatch(/^status\s+completed$/m);
    expect(text).toContain("head and tail kept in history");
    expect(text).toContain("out 7");
    const json = JSON.parse(await run("show", "run-0007", "--json"));
    expect(json.output).toMatchObject({ source: "stored", head: "out 7\n" });
    await expect(run("show", "missing")).rejects.toMatchObject({ exitCode: 4 });
  });

  it("prints statistics", async () => {
    const stats = JSON.parse(await run("stats", "--json"));
    expect(stats).toMatchObject({ total: ROWS, by_status: { completed: 2250, failed: 250 } });
    expect(stats.top_classes[0]).toMatchObject({
      command_class: "cmd:make step-<n>",
      runs: ROWS - 1,
    });
    const text = await run("stats");
    expect(text).toContain("executions  2500 (completed 2250, failed 250)");
    expect(text).toContain("cmd:make step-<n>");
  });

  it("exports everything as JSON or CSV, across pages", async () => {
    const all = JSON.parse(await run("export", "--format", "json"));
    expect(all).toHaveLength(ROWS);
    expect(new Set(all.map((r: { execution_id: string }) => r.execution_id)).size).toBe(ROWS);
    const file = join(home.path, "export.csv");
    expect(await run("export", "--format", "csv", "--output", file, "--status", "completed")).toBe(
      "",
    );
    const csv = readFileSync(file, "utf8");
    expect(csv.split("\n")[0]).toMatch(/^execution_id,created_at,/);
    expect(csv).toContain('"echo ""a, b""\necho done"');
    // Header, 2250 rows, the quoted command's inner line break, the final newline.
    expect(csv.split("\n")).toHaveLength(1 + 2250 + 1 + 1);
    await expect(run("export", "--format", "xml")).rejects.toMatchObject({ exitCode: 2 });
  });

  it("on a terminal, cuts ids only as far as they stay unique, and shows a Claude run's cost", () => {
    const step = (n: number) =>
      toWireExecution(
        executionRecord({ executionId: `20261206-011500-abcdef-t${n}-a1`, command: `step ${n}` }),
      );
    const claude = toWireExecution(
      executionRecord({
        executionId: "9f3e2a71-0000-4000-8000-000000000000",
        kind: "claude",
        claude: {
          sessionId: null,
          subtype: "success",
          isError: false,
          costUsd: 0.0421,
          numTurns: 1,
          usage: null,
        },
      }),
    );
    const table = historyTable([step(1), step(2), claude], {
      tty: true,
      columns: 200,
      colour: false,
    });
    const ids = table
      .trimEnd()
      .split("\n")
      .slice(1)
      .map((line) => line.split(/\s+/)[2]);
    // Task steps share their run's prefix: each is shown up to where they differ.
    expect(ids).toEqual(["20261206-011500-abcdef-t1", "20261206-011500-abcdef-t2", "9f3e2a71"]);
    expect(table).toContain("$0.0421");
  });

  it("renders an aligned table on a terminal, cutting the command to fit", () => {
    const rows = [{ id: "a", command: "x".repeat(100) }];
    const table = renderTable(
      [
        { title: "ID", value: (r: (typeof rows)[0]) => r.id },
        { title: "COMMAND", value: (r: (typeof rows)[0]) => r.command, flexible: true },
      ],
      rows,
      { tty: true, columns: 40, colour: false },
    );
    const [header, row] = table.trimEnd().split("\n");
    expect(header).toBe("ID  COMMAND");
    expect(row?.length).toBe(40);
    expect(row?.endsWith("…")).toBe(true);
  });

  it("shows a Claude run as a readable transcript; --raw gives its stream-json", async () => {
    const lines = [
      { type: "system", subtype: "init", session_id: "s-1", model: "claude-test", tools: [] },
      {
        type: "assistant",
        message: {
          content: [
            { type: "text", text: "I will write the notes." },
            { type: "tool_use", id: "t1", name: "Write", input: { file_path: "/w/notes.md" } },
          ],
        },
      },
      {
        type: "user",
        message: { content: [{ type: "tool_result", tool_use_id: "t1", content: "File created" }] },
      },
      {
        type: "result",
        subtype: "success",
        is_error: false,
        result: "Wrote notes.md",
        total_cost_usd: 0.0123,
        num_turns: 2,
        session_id: "s-1",
      },
    ].map((line) => JSON.stringify(line));
    const store = new SqliteStore(join(home.path, "history.db"));
    await store.apply([
      {
        type: "execution",
        record: executionRecord({
          executionId: "claude-transcript-1",
          kind: "claude",
          createdAtMs: T0 - 2,
          output: { encoding: "utf8", head: `${lines.join("\n")}\n`, tail: "", omittedBytes: 0 },
        }),
      },
    ]);
    await store.close();
    const text = await run("show", "claude-transcript-1");
    expect(text).toContain("--- transcript (head and tail kept in history) ---");
    expect(text).toContain("● claude claude-test · session s-1");
    expect(text).toContain("I will write the notes.\n⏺ Write(/w/notes.md)\n  ⎿ File created");
    expect(text).toContain("result (success): Wrote notes.md · 2 turns · $0.0123");
    expect(text).not.toContain('"type":"assistant"');
    const raw = await run("show", "claude-transcript-1", "--raw");
    expect(raw).toContain(lines[1]);
  });

  it("shows an execution by a unique id prefix, as terminal listings print ids short", async () => {
    const store = new SqliteStore(join(home.path, "history.db"));
    await store.apply([
      {
        type: "execution",
        record: executionRecord({ executionId: "5d0c9e7a-short-id", createdAtMs: T0 - 1 }),
      },
    ]);
    await store.close();
    expect(JSON.parse(await run("show", "5d0c9e7a", "--json")).execution.execution_id).toBe(
      "5d0c9e7a-short-id",
    );
    await expect(run("show", "run-001")).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/matches several executions: run-0010, run-0011/),
    });
  });
});
