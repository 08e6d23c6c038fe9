/**
 * `cc-executor doctor` (DESIGN §8): each check on a real home, a real server process, the real
 * claude CLI (installed, not logged in here) — and a failing check makes the exit code 1.
 */
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliEnv, cliHomes, runCli } from "./helpers/cli-process.js";
import { startServerProcess } from "./helpers/server-process.js";

const newHome = cliHomes("cce-doctor-");

describe("cc-executor doctor", () => {
  it("reports every check on a fresh home and exits 0 when nothing fails", async () => {
    const home = newHome();
    const exit = await runCli(["doctor", "--json"], {
      env: cliEnv(home, { CC_EXECUTOR_PORT: "0" }),
    });
    expect(exit.code).toBe(0);
    const checks = JSON.parse(exit.stdout) as Array<{
      name: string;
      level: string;
      message: string;
    }>;
    expect(checks.map((c) => c.name)).toEqual([
      "node",
      "home",
      "token",
      "server",
      "shell",
      "history",
      "claude",
    ]);
    expect(checks.find((c) => c.name === "node")?.level).toBe("ok");
    expect(checks.find((c) => c.name === "history")?.message).toContain(join(home, "history.db"));
    // The pinned CLI is installed here but not logged in: a warning that says how to log in.
    const claude = checks.find((c) => c.name === "claude");
    expect(claude?.level).toBe("warn");
    expect(claude?.message).toMatch(/not logged in.*\/login/);
  });

  it("fails (exit 1) when the Claude CLI is missing: Claude runs cannot work", async () => {
    const home = newHome();
    const exit = await runCli(["doctor"], {
      env: cliEnv(home, { CC_EXECUTOR_PORT: "0", CC_EXECUTOR_CLAUDE_BIN: "/nonexistent/claude" }),
    });
    expect(exit.code).toBe(1);
    expect(exit.stdout).toMatch(/✗ claude +Claude Code CLI not found/);
  });

  it("fails (exit 1) on a token file others can read, naming the fix", async () => {
    const home = newHome();
    mkdirSync(home, { recursive: true, mode: 0o700 });
    const token = join(home, "token");
    writeFileSync(token, `${"a".repeat(64)}\n`);
    chmodSync(token, 0o644);
    const exit = await runCli(["doctor"], { env: cliEnv(home, { CC_EXECUTOR_PORT: "0" }) });
    expect(exit.code).toBe(1);
    expect(exit.stdout).toMatch(/✗ token .*readable by other users.*chmod 600/);
  });

  it("finds a running server", async () => {
    const home = newHome();
    const server = await startServerProcess({}, { home });
    try {
      const exit = await runCli(["doctor"], { env: cliEnv(home) });
      expect(exit.code).toBe(0);
      expect(exit.stdout).toMatch(new RegExp(`✓ server +running: pid ${server.pid}`));
    } finally {
      await server.cleanup();
    }
  });
});
