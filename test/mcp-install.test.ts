/**
 * `cc-executor mcp install` (DESIGN §8, §13): the printed `claude mcp add` line, and `--apply`
 * running it with the real `claude` CLI in a sandboxed HOME, whose config then holds the entry.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CLAUDE_BIN,
  type ClaudeSandbox,
  createClaudeSandbox,
} from "./fixtures/mock-anthropic/claude-runner.js";
import { CLI_PATH, cliEnv, cliHomes, runCli } from "./helpers/cli-process.js";

const newHome = cliHomes("cce-mcp-install-");
let sandbox: ClaudeSandbox;

beforeAll(async () => {
  sandbox = await createClaudeSandbox();
});
afterAll(async () => {
  await sandbox?.cleanup();
});

describe("cc-executor mcp install", () => {
  it("prints the claude mcp add line for this installation, with its home", async () => {
    const home = newHome();
    const exit = await runCli(["mcp", "install", "--scope", "user"], { env: cliEnv(home) });
    expect(exit.code).toBe(0);
    const line = exit.stdout.split("\n")[0];
    expect(line).toBe(
      `claude mcp add --scope user cc-executor -e CC_EXECUTOR_HOME=${home} -- ${process.execPath} ${CLI_PATH} mcp`,
    );
  });

  it("refuses an unknown scope plainly", async () => {
    const exit = await runCli(["mcp", "install", "--scope", "galaxy"], { env: cliEnv(newHome()) });
    expect(exit.code).toBe(2);
    expect(exit.stderr).toBe("cc-executor: --scope: one of local, user, project (got galaxy)\n");
  });

  it("--apply registers the server with the real claude CLI", async () => {
    const home = newHome();
    const env = cliEnv(home, {
      ...sandbox.env("http://127.0.0.1:9"),
      CC_EXECUTOR_CLAUDE_BIN: CLAUDE_BIN,
    });
    const exit = await runCli(["mcp", "install", "--scope", "user", "--apply"], { env });
    expect(exit.code, exit.stderr).toBe(0);
    const config = JSON.parse(readFileSync(join(sandbox.home, ".claude", ".claude.json"), "utf8"));
    expect(config.mcpServers["cc-executor"]).toEqual({
      type: "stdio",
      command: process.execPath,
      args: [CLI_PATH, "mcp"],
      env: { CC_EXECUTOR_HOME: home },
    });
  });
});
