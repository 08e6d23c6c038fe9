/**
 * `cc-executor doctor` (DESIGN §8): each check on a real home, a real server process, the real
 * claude CLI (installed, not logged in here) — and a failing check makes the exit code 1.
 */
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
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

  it("suggests only commands and flags that exist (every hint checked against --help)", async () => {
    // A home that makes doctor give every hint it has: open to others, a token others can read,
    // the configured port taken, a Claude CLI that is not logged in.
    const home = newHome();
    mkdirSync(home, { recursive: true });
    chmodSync(home, 0o755);
    const token = join(home, "token");
    writeFileSync(token, `${"a".repeat(64)}\n`);
    chmodSync(token, 0o644);
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const exit = await runCli(["doctor"], {
        env: cliEnv(home, { CC_EXECUTOR_PORT: String(port) }),
      });
      const output = exit.stdout;
      expect(output).toContain("cc-executor server start --port <port>");
      expect(output).toContain("cc-executor token --rotate");
      // Every `--flag` belongs to a `cc-executor <command>` named before it in the same hint…
      const flags = [...output.matchAll(/--[a-z][a-z-]*/g)];
      expect(flags.length).toBeGreaterThan(1);
      for (const match of flags) {
        const before = output.slice(0, match.index);
        const line = before.slice(before.lastIndexOf("\n") + 1);
        const named = /cc-executor((?: [a-z][a-z-]*)+)[^"`]*$/.exec(line);
        expect(named, `"${match[0]}" in "${line}…" names no cc-executor command`).not.toBeNull();
        // … and that command's --help lists it.
        const command = (named?.[1] ?? "").trim().split(" ");
        const help = await runCli([...command, "--help"], { env: cliEnv(home) });
        expect(help.code, help.stderr).toBe(0);
        expect(help.stdout, `cc-executor ${command.join(" ")} ${match[0]}`).toContain(
          `${match[0]} `,
        );
      }
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
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
