/**
 * The CLI entry loads only the command group named on the command line; these check that
 * every group is still reachable: the overview lists all of them, a group's own help works
 * with only that group loaded, and an unknown word is refused with the overview.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { cliEnv, requireBuiltCli, runCli } from "./helpers/cli-process.js";
import { tempDir } from "./helpers/test-server.js";

const GROUPS = ["server", "run", "token", "history", "doctor", "claude", "stress", "tasks"];

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

  it("an unknown command is refused with the list of commands", async () => {
    const exit = await runCli(["bogus"], { env: env() });
    expect(exit.code).toBe(1);
    expect(exit.stderr).toContain("unknown command 'bogus'");
    expect(exit.stderr).toContain("tasks");
  });
});
