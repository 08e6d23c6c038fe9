/**
 * `cc-executor token [--rotate]` (DESIGN §8, §11): prints the token, creating it on first use;
 * `--rotate` replaces it with a fresh 0600 file that readers see whole, even over a file with
 * loose permissions, and says the server must be restarted.
 */
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliEnv, cliHomes, runCli } from "./helpers/cli-process.js";

const newHome = cliHomes("cce-token-cli-");

const HEX_TOKEN = /^[0-9a-f]{64}\n$/;

describe("cc-executor token", () => {
  it("prints the token it creates on first use, then the same one", async () => {
    const home = newHome();
    const first = await runCli(["token"], { env: cliEnv(home) });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(HEX_TOKEN);
    expect(readFileSync(join(home, "token"), "utf8")).toBe(first.stdout);
    expect(statSync(join(home, "token")).mode & 0o777).toBe(0o600);
    const again = await runCli(["token"], { env: cliEnv(home) });
    expect(again.stdout).toBe(first.stdout);
  });

  it("several first uses at once agree on one token (the file appears whole)", async () => {
    const home = newHome();
    const runs = await Promise.all(
      Array.from({ length: 6 }, () => runCli(["token"], { env: cliEnv(home) })),
    );
    expect(runs.map((run) => [run.code, run.stderr])).toEqual(runs.map(() => [0, ""]));
    const tokens = new Set(runs.map((run) => run.stdout));
    expect(tokens.size).toBe(1);
    expect(readFileSync(join(home, "token"), "utf8")).toBe(runs[0]?.stdout);
    expect(readdirSync(home).filter((name) => name.startsWith("token"))).toEqual(["token"]);
  });

  it("--rotate replaces a loose-permission token with a fresh 0600 one and says to restart", async () => {
    const home = newHome();
    mkdirSync(home, { recursive: true, mode: 0o700 });
    const before = (await runCli(["token"], { env: cliEnv(home) })).stdout;
    const tokenPath = join(home, "token");
    chmodSync(tokenPath, 0o644);
    const refused = await runCli(["token"], { env: cliEnv(home) });
    expect(refused.code).toBe(1);
    // A message that says what to do, not a stack trace.
    expect(refused.stderr).toBe(
      `cc-executor: ${tokenPath} is readable by other users (mode 644); ` +
        `run "chmod 600 ${tokenPath}" or "cc-executor token --rotate"\n`,
    );

    const rotated = await runCli(["token", "--rotate"], { env: cliEnv(home) });
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(HEX_TOKEN);
    expect(rotated.stdout).not.toBe(before);
    expect(rotated.stderr).toContain("restart the server");
    expect(readFileSync(tokenPath, "utf8")).toBe(rotated.stdout);
    expect(statSync(tokenPath).mode & 0o777).toBe(0o600);
    expect(readdirSync(home).filter((name) => name.startsWith("token"))).toEqual(["token"]);
    expect((await runCli(["token"], { env: cliEnv(home) })).stdout).toBe(rotated.stdout);
  });
});
