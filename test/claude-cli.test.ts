/**
 * `cc-executor claude` and `cc-executor stress --mock` (DESIGN §8, §9), run as the built CLI
 * with its own home; Claude runs use the real CLI against the mock. Needs `npm run build`.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  CLAUDE_BIN,
  type ClaudeSandbox,
  createClaudeSandbox,
} from "./fixtures/mock-anthropic/claude-runner.js";
import {
  authenticationError,
  type MockAnthropic,
  startMockAnthropic,
  textReply,
  toolUseReply,
} from "./fixtures/mock-anthropic/index.js";
import { CliProcess, cliEnv, requireBuiltCli, runCli } from "./helpers/cli-process.js";
import { tempDir } from "./helpers/test-server.js";

let mock: MockAnthropic;
let sandbox: ClaudeSandbox;
let home: string;

beforeAll(async () => {
  requireBuiltCli();
  mock = await startMockAnthropic();
  sandbox = await createClaudeSandbox();
  home = tempDir("cce-claude-cli-");
});

afterAll(async () => {
  await mock?.close();
  await sandbox?.cleanup();
  if (home) rmSync(home, { recursive: true, force: true });
});

beforeEach(() => {
  mock.reset();
});

/** The CLI's env: its own home, the pinned claude, pointed at the mock (api-key mode). */
function env(extra: Record<string, string> = {}) {
  return cliEnv(home, {
    ...sandbox.env(mock.url),
    CC_EXECUTOR_CLAUDE_BIN: CLAUDE_BIN,
    CC_EXECUTOR_CLAUDE_AUTH: "api-key",
    ...extra,
  });
}

describe("cc-executor claude", () => {
  it("prints the answer, then result, cost and duration; exit 0", async () => {
    mock.setDefault(textReply("4"));
    const exit = await runCli(["claude", "What is 2+2?"], { env: env(), cwd: sandbox.cwd });
    expect(exit.code).toBe(0);
    expect(exit.stdout).toBe("4\n");
    expect(exit.stderr).toMatch(/✓ completed in \d+\.\d\d s · \$\d+\.\d{4} · 1 turn · session /);
  });

  it("piped, stdout holds only the final result; tool calls and their results go to stderr", async () => {
    const file = join(sandbox.cwd, "cli.txt");
    mock.enqueue(
      toolUseReply(
        { name: "Write", input: { file_path: file, content: "from the cli\n" } },
        { text: "I will write the file first." },
      ),
    );
    mock.setDefault(textReply("Wrote it.", { chunkChars: 3 }));
    const exit = await runCli(
      ["claude", "--allowed-tools", "Write", "--permission-mode", "acceptEdits", "Write cli.txt"],
      { env: env(), cwd: sandbox.cwd },
    );
    expect(exit.code).toBe(0);
    expect(exit.stdout).toBe("Wrote it.\n");
    expect(exit.stderr).toContain(`⏺ Write(${file})`);
    expect(exit.stderr).toMatch(/ {2}⎿ File created successfully/);
    expect(readFileSync(file, "utf8")).toBe("from the cli\n");
  });

  it("on a terminal, streams the answer as it is written, with a spinner while the model thinks", async () => {
    let release = () => {};
    const until = new Promise<void>((resolve) => (release = resolve));
    const answer = "First part of the answer, then the rest of it.";
    // Three pieces of 8 characters are sent, then the mock holds the rest back.
    mock.setDefault(textReply(answer, { chunkChars: 8, hold: { afterDeltas: 3, until } }));
    const cli = new CliProcess(["claude", "Tell me"], { env: env(), cwd: sandbox.cwd, pty: true });
    // Without streaming the text would only come after the hold: fail clearly, not by timeout.
    const giveUp = setTimeout(() => cli.kill("SIGKILL"), 30_000);
    try {
      await cli.waitForStdout(/First part of the answer/);
      // Only the pieces streamed so far: the whole message has not been sent yet.
      expect(cli.stdout).not.toContain(", then");
      expect(cli.stdout).not.toContain("completed");
    } finally {
      clearTimeout(giveUp);
      release();
    }
    const exit = await cli.exited;
    expect(exit.code).toBe(0);
    const screen = stripVTControlCharacters(exit.stdout).replaceAll("\r", "");
    // Shown once as it streamed; the result that repeats it is not printed again.
    expect(screen.split(answer)).toHaveLength(2);
    expect(screen).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] thinking · \d+ s/);
    expect(screen).toMatch(/ · ↓ \d+ tokens?/);
    expect(screen).toMatch(/✓ completed in \d+\.\d\d s/);
  });

  it("an answer streamed for longer than --idle-timeout completes: its pieces are activity", async () => {
    const answer = Array.from({ length: 16 }, (_, i) => `piece${i}`).join(" ");
    // ≈ 22 SSE events 250 ms apart: over 5 s of answer, never 2 s without a piece.
    mock.setDefault(textReply(answer, { chunkChars: 8, eventDelayMs: 250 }));
    const startedMs = Date.now();
    const exit = await runCli(["claude", "--idle-timeout", "2", "Answer slowly"], {
      env: env(),
      cwd: sandbox.cwd,
    });
    expect(exit.code, exit.stderr).toBe(0);
    expect(exit.stdout).toBe(`${answer}\n`);
    expect(Date.now() - startedMs).toBeGreaterThan(5000);
  }, 60_000);

  it("exits 1 with the reason when the run fails", async () => {
    mock.setDefault(authenticationError());
    const exit = await runCli(["claude", "Hello"], { env: env(), cwd: sandbox.cwd });
    expect(exit.code).toBe(1);
    expect(exit.stderr).toMatch(/error\.auth_failed/);
    expect(exit.stderr).toMatch(/✗ failed \(auth\) after .*authentication failed/);
  });

  it("--json prints stream-json lines, then one result object", async () => {
    mock.setDefault(textReply("4"));
    const exit = await runCli(["claude", "--json", "--max-turns", "3", "What is 2+2?"], {
      env: env(),
      cwd: sandbox.cwd,
    });
    expect(exit.code).toBe(0);
    const lines = exit.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    // Partial messages: stream_event pieces and system/status lines between the whole ones.
    const types = lines.map((line) => line.type);
    expect(types).toContain("stream_event");
    expect(
      lines
        .filter((line) => line.type !== "stream_event" && line.subtype !== "status")
        .map((line) => line.type),
    ).toEqual(["system", "assistant", "result", "cc_executor.result"]);
    expect(lines.at(-1)).toMatchObject({ success: true, result: "4", attempts: 1 });
  });

  it("refuses bad flags before starting anything (exit 2)", async () => {
    const exit = await runCli(["claude", "--max-turns", "zero", "hi"], { env: env() });
    expect(exit.code).toBe(2);
    expect(exit.stderr).toContain("--max-turns");
    // A request the server refuses as invalid is the user's mistake too.
    const empty = await runCli(["claude", ""], { env: env() });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toBe("cc-executor: the prompt is empty: say what Claude should do\n");
  });
});

describe("cc-executor stress --mock", () => {
  it("passes all ten scenarios and writes the report", async () => {
    const report = join(home, "stress-report.md");
    const exit = await runCli(["stress", "--mock", "--report", report], {
      env: cliEnv(home, { CC_EXECUTOR_CLAUDE_BIN: CLAUDE_BIN }),
    });
    expect(exit.stderr).toContain("10/10 passed");
    expect(exit.code).toBe(0);
    expect(existsSync(report)).toBe(true);
    const text = readFileSync(report, "utf8");
    expect(text).toBe(exit.stdout);
    expect(text).toContain("| **✅ Passed** | 10 |");
    expect(text).toContain("| **Success Rate** | 100.0% |");
    expect(text.match(/^### \d+\. ✅ /gm)).toHaveLength(10);
    expect(text).toContain("| **❌ Failed** | 0 |");
    expect(text).not.toMatch(/^### \d+\. ❌/m);
  }, 180_000);

  it("--json prints the results as one JSON object", async () => {
    const exit = await runCli(["stress", "--mock", "--tasks", "2", "--json"], {
      env: cliEnv(home, { CC_EXECUTOR_CLAUDE_BIN: CLAUDE_BIN }),
    });
    expect(exit.code, exit.stderr).toBe(0);
    const run = JSON.parse(exit.stdout);
    expect(run).toMatchObject({ tasks: 2, passed: 2, failed: 0 });
    expect(run.results).toHaveLength(2);
    expect(run.results[0]).toMatchObject({ index: 1, passed: true, error: null });
    expect(typeof run.results[0].scenario).toBe("string");
  }, 120_000);
});
