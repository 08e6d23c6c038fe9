/**
 * `cc-executor init` in a fresh home (issue 16, item 10): it creates the home (0700), the token
 * (0600) and a commented config the loader reads, checks node and the Claude CLI, prints the next
 * three commands; a second time it refuses to replace the config unless --force.
 */
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CONFIG_TEMPLATE } from "../src/config/config-template.js";
import { cliEnv, cliHomes, runCli } from "./helpers/cli-process.js";

const newParent = cliHomes("cce-init-");
const modeOf = (path: string) => statSync(path).mode & 0o777;

describe("cc-executor init", () => {
  it("sets up a fresh home with safe modes, and refuses a second time without --force", async () => {
    const home = join(newParent(), "home");
    const env = cliEnv(home);
    const exit = await runCli(["init"], { env });
    expect(exit.code, exit.stderr).toBe(0);
    expect(modeOf(home)).toBe(0o700);
    const token = readFileSync(join(home, "token"), "utf8");
    expect(modeOf(join(home, "token"))).toBe(0o600);
    const config = join(home, "cc-executor.config.json");
    expect(readFileSync(config, "utf8")).toBe(CONFIG_TEMPLATE);
    expect(modeOf(config)).toBe(0o600);
    expect(exit.stdout).toContain(`✓ config  ${config}`);
    expect(exit.stdout).toMatch(/✓ node +v\d+/);
    // The pinned CLI is installed here but not logged in: a warning, and what to do next.
    expect(exit.stdout).toMatch(/! claude .*not logged in/);
    const next = exit.stdout.split("next:\n")[1]?.trim().split("\n") ?? [];
    expect(next.map((line) => line.trim().split(/\s{3,}#/)[0])).toEqual([
      "cc-executor server start --detach",
      "cc-executor run 'echo hello'",
      "cc-executor doctor",
    ]);
    // The written config loads: another command reads it without complaint.
    expect(
      (await runCli(["doctor", "--json"], { env: { ...env, CC_EXECUTOR_PORT: "0" } })).code,
    ).toBe(0);

    writeFileSync(config, '{ "port": 9999 }\n');
    const again = await runCli(["init"], { env });
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      `cc-executor: ${config} exists already; it is left as it is ` +
        "(cc-executor init --force replaces it with a fresh commented one)\n",
    );
    expect(readFileSync(config, "utf8")).toBe('{ "port": 9999 }\n');

    writeFileSync(config, "{ broken");
    const forced = await runCli(["init", "--force"], { env });
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(config, "utf8")).toBe(CONFIG_TEMPLATE);
    expect(readFileSync(join(home, "token"), "utf8")).toBe(token);
    expect(forced.stdout).toContain("kept as it was");
  });
});
