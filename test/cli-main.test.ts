/**
 * The CLI entry loads only the command group named on the command line; these check that
 * every group is still reachable: the overview lists all of them, a group's own help works
 * with only that group loaded, and an unknown word is refused with the overview.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { cliEnv, requireBuiltCli, runCli } from "./helpers/cli-process.js";
import { tempDir } from "./helpers/test-server.js";

const BIN = fileURLToPath(new URL("../bin/cc-executor.mjs", import.meta.url));

const GROUPS = ["server", "run", "token", "history", "doctor", "claude", "stress", "tasks", "mcp"];

describe("cc-executor entry", () => {
  beforeAll(() => requireBuiltCli());
  const env = () => cliEnv(tempDir("cce-main-"));

  it("--help lists every command group", async () => {
    const exit = await runCli(["--help"], { env: env() });
    expect(exit.code).toBe(0);
    for (const group of GROUPS) expect(exit.stdout).toMatch(new RegExp(`^  ${group}\\b`, "m"));
  });

  it("--version prints the version without loading any group", async () => {
    const exit = await runCli(["--version"], { env: env() });
    expect(exit.code).toBe(0);
    expect(exit.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.each(GROUPS)("%s --help works with only its group loaded", async (group) => {
    const exit = await runCli([group, "--help"], { env: env() });
    expect(exit.code).toBe(0);
    expect(exit.stdout).toContain(`Usage: cc-executor ${group}`);
  });

  it.each(["history list", "history stats", "tasks list", "stress"])(
    "%s --help says each default once",
    async (command) => {
      const exit = await runCli([...command.split(" "), "--help"], { env: env() });
      expect(exit.code).toBe(0);
      for (const line of exit.stdout.split("\n")) expect(line).not.toMatch(/default.*default/);
    },
  );

  it("an unknown command is refused with the list of commands (exit 2)", async () => {
    const exit = await runCli(["bogus"], { env: env() });
    expect(exit.code).toBe(2);
    expect(exit.stderr).toContain("cc-executor: unknown command 'bogus'");
    expect(exit.stderr).toContain("tasks");
  });

  // Usage mistakes exit 2, apart from a command's own exit 1, and speak as cc-executor.
  it.each([
    [["run", "--nope", "x"], "cc-executor: unknown option '--nope'"],
    [["run"], "cc-executor: missing required argument 'command'"],
    [["history", "export"], "cc-executor: required option '--format <format>' not specified"],
    [["tasks", "status", "a", "b"], "cc-executor: too many arguments"],
  ])("%j is a usage error: exit 2, one cc-executor: line", async (args, message) => {
    const exit = await runCli(args, { env: env() });
    expect(exit.code, exit.stderr).toBe(2);
    expect(exit.stderr).toContain(message);
    expect(exit.stderr).not.toMatch(/^error:/m);
  });

  it("the cc-executor command (bin) runs node with the server's V8 flags", async () => {
    // Started as a program, as npm's bin link starts it: /bin/sh reads the first line.
    const child = spawn(BIN, ["server", "start", "--port", "0"], {
      env: env(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      let stdout = "";
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", (data: Buffer) => {
          stdout += data;
          if (stdout.includes("\n")) resolve();
        });
        child.once("exit", (code) => reject(new Error(`exited with ${code}: ${stdout}`)));
      });
      expect(stdout).toContain("listening");
      const argv = readFileSync(`/proc/${child.pid}/cmdline`, "utf8").split("\0");
      expect(argv).toContain("--max-semi-space-size=2");
      expect(argv).toContain(BIN);
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    }
  });
});
