/**
 * The CLI as a person feels it when things are off (issue 15, "a robustness pass"): an unusable
 * home (a file, no permission, a path under /proc) or a corrupt history.db gives one line naming
 * the path and the fix from every command, never a stack trace and never a hang; a reader that
 * goes away (`run … | head -1`, `history export … | head`) ends the command quietly with the
 * execution canceled; `run` writes binary output byte for byte. The built CLI, as processes.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SqliteStore } from "../src/store/sqlite/sqlite-store.js";
import { CLI_PATH, cliEnv, requireBuiltCli, runCli } from "./helpers/cli-process.js";
import { eventually } from "./helpers/processes.js";
import { executionRecord, REQUIRE_SERVICES } from "./helpers/store-fixtures.js";
import { tempDir } from "./helpers/test-server.js";

const NOBODY = 65534;
const IS_ROOT = process.getuid?.() === 0;

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const step of cleanup.splice(0).reverse()) step();
});

function scratch(): string {
  requireBuiltCli();
  const dir = realpathSync(tempDir("cce-robust-"));
  chmodSync(dir, 0o755); // others (nobody) may enter; homes inside decide for themselves
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const COMMANDS = [
  ["doctor"],
  ["run", "true"],
  ["history", "list"],
  ["token"],
  ["tasks", "list"],
  ["server", "start", "--port", "0"],
];

/** Runs every command with `home`; each fails with `path` and `fix` in its output, no stack. */
async function expectEveryCommandRefuses(
  home: string,
  path: string,
  fix: RegExp,
  options: { commands?: string[][]; uid?: number } = {},
): Promise<void> {
  const commands = options.commands ?? COMMANDS;
  const exits = await Promise.all(
    commands.map((args) =>
      runCli(args, {
        env: cliEnv(home),
        cwd: "/tmp",
        uid: options.uid,
        gid: options.uid,
      }),
    ),
  );
  exits.forEach((exit, index) => {
    const label = `${commands[index]?.join(" ")}: ${exit.stderr}${exit.stdout}`;
    expect(exit.code, label).not.toBe(0);
    expect(exit.code, label).not.toBeNull();
    const output = `${exit.stderr}${exit.stdout}`;
    expect(output, label).toContain(path);
    expect(output, label).toMatch(fix);
    expect(output, label).not.toMatch(/\n\s+at |Error:/);
    // doctor reports a table with the failing check in it; the others print one line
    if (commands[index]?.[0] !== "doctor")
      expect(exit.stderr.trimEnd().split("\n")).toHaveLength(1);
  });
}

describe("an unusable home or history file: one line from every command", () => {
  it("a home that is a file", async () => {
    const home = join(scratch(), "home-file");
    writeFileSync(home, "not a directory");
    await expectEveryCommandRefuses(home, home, /not a directory; .*CC_EXECUTOR_HOME/);
  });

  it("a home under /proc, where nothing can be created: no hang", async () => {
    const home = "/proc/nohome";
    await expectEveryCommandRefuses(home, home, /cannot use .* CC_EXECUTOR_HOME/);
  }, 30_000);

  it("a history.db that is not a database (token still works)", async () => {
    const home = join(scratch(), "home");
    mkdirSync(home, { mode: 0o700 });
    const db = join(home, "history.db");
    writeFileSync(db, randomBytes(8192), { mode: 0o600 });
    // doctor shows it as its failing history check (the /proc case covers that path)
    await expectEveryCommandRefuses(home, db, /is not a readable history database.*mv /, {
      commands: COMMANDS.filter(([word]) => word !== "token" && word !== "doctor"),
    });
    const token = await runCli(["token"], { env: cliEnv(home), cwd: "/tmp" });
    expect(token.code, token.stderr).toBe(0);
  });

  const noPermission = "a home the user may not enter (as nobody)";
  if (IS_ROOT) {
    it(noPermission, async () => {
      const locked = join(scratch(), "locked");
      mkdirSync(locked, { mode: 0o700 }); // root's
      const home = join(locked, "home");
      await expectEveryCommandRefuses(home, home, /permission denied.*CC_EXECUTOR_HOME/, {
        uid: NOBODY,
        commands: COMMANDS.filter(([word]) => word !== "doctor"),
      });
    });
  } else if (REQUIRE_SERVICES) {
    it(noPermission, () => {
      throw new Error("needs root to run the CLI as nobody (CC_EXECUTOR_REQUIRE_SERVICES=1)");
    });
  } else {
    console.warn(`SKIPPED (not root, cannot run as nobody): ${noPermission}`);
    it.skip(noPermission, () => {});
  }
});

/** Runs `script` with bash in `cwd`; resolves with its stdout and exit code. */
function bash(
  script: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: Buffer }> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", script], { cwd, env: { ...env, CLI: CLI_PATH } });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout: Buffer.concat(chunks) }));
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ");
  } catch {
    return false;
  }
};

describe("a reader that goes away", () => {
  it("`run … | head -1`: exit 141 (as SIGPIPE), no message, the execution canceled", async () => {
    const dir = scratch();
    const home = join(dir, "home");
    const result = await bash(
      `node "$CLI" run 'echo $$ > pid; exec yes' 2>cli.err | head -1; echo \${PIPESTATUS[0]} > cli.rc`,
      dir,
      cliEnv(home),
    );
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toBe("y\n");
    expect(readFileSync(join(dir, "cli.err"), "utf8")).toBe("");
    expect(readFileSync(join(dir, "cli.rc"), "utf8").trim()).toBe("141");
    const pid = Number(readFileSync(join(dir, "pid"), "utf8"));
    expect(await eventually(() => !alive(pid), 10_000)).toBe(true);
    const listed = await runCli(["history", "list", "--json"], { env: cliEnv(home), cwd: dir });
    expect(JSON.parse(listed.stdout)).toMatchObject([{ status: "canceled" }]);
  });

  it("`history export … | head -2`: quiet, exit 141", async () => {
    const dir = scratch();
    const home = join(dir, "home");
    mkdirSync(home, { mode: 0o700 });
    const store = new SqliteStore(join(home, "history.db"));
    const records = Array.from({ length: 3000 }, (_, i) =>
      executionRecord({
        executionId: `exec-${i}`,
        command: `echo ${"x".repeat(200)} ${i}`,
        createdAtMs: 1_700_000_000_000 + i,
      }),
    );
    await store.apply(records.map((record) => ({ type: "execution" as const, record })));
    await store.close();
    for (const format of ["csv", "json"]) {
      const result = await bash(
        `node "$CLI" history export --format ${format} 2>cli.err | head -2; echo \${PIPESTATUS[0]} > cli.rc`,
        dir,
        cliEnv(home),
      );
      expect(result.stdout.toString().split("\n")).toHaveLength(3);
      expect(readFileSync(join(dir, "cli.err"), "utf8")).toBe("");
      expect(readFileSync(join(dir, "cli.rc"), "utf8").trim()).toBe("141");
    }
  });
});

describe("binary output", () => {
  it("`run` writes 100,000 random bytes exactly as the command wrote them", async () => {
    const dir = scratch();
    const bytes = randomBytes(100_000);
    writeFileSync(join(dir, "random.bin"), bytes);
    const result = await bash(`node "$CLI" run 'cat random.bin'`, dir, cliEnv(join(dir, "home")));
    expect(result.code).toBe(0);
    expect(result.stdout.length).toBe(bytes.length);
    expect(result.stdout.equals(bytes)).toBe(true);
  });
});
