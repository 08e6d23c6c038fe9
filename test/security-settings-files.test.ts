/**
 * Settings planted by another user are not obeyed (DESIGN §11, issue 15 item 2): `.env` and
 * `cc-executor.config.json` (in the cwd or the home) are read only when owned by this user or
 * root and not writable by group or others, and a home others can write is refused; otherwise
 * the server (and every CLI command) refuses to start with one line naming the file and the
 * fix. The no-auth warning names where "none" came from.
 *
 * Cases with a file of another user need root (chown to nobody): without root they are skipped
 * loudly, and fail under CC_EXECUTOR_REQUIRE_SERVICES=1. The mode cases work for any user.
 */
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadSettings } from "../src/config/load-settings.js";
import { noAudit } from "../src/log/audit-log.js";
import { createLogger } from "../src/log/logger.js";
import { type RunningServer, startServer } from "../src/server/server.js";
import { CliProcess, cliEnv, requireBuiltCli, runCli } from "./helpers/cli-process.js";
import { REQUIRE_SERVICES } from "./helpers/store-fixtures.js";
import { tempDir } from "./helpers/test-server.js";

const NOBODY = 65534;
const IS_ROOT = process.getuid?.() === 0;

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A work directory (the cwd of the command) and a home inside a temporary folder. */
function workspace(): { cwd: string; home: string } {
  requireBuiltCli();
  const parent = realpathSync(tempDir("cce-planted-"));
  cleanup.push(() => rmSync(parent, { recursive: true, force: true }));
  const cwd = join(parent, "shared");
  mkdirSync(cwd, { mode: 0o755 });
  return { cwd, home: join(parent, "home") };
}

/** Writes `text` to `path` with `mode` (chmod, so the umask does not change it). */
function plant(path: string, text: string, mode: number, uid?: number): string {
  writeFileSync(path, text);
  chmodSync(path, mode);
  if (uid !== undefined) chownSync(path, uid, uid);
  return path;
}

/** A test that needs root to give a file to another user: loud skip, or a failure if required. */
function asRoot(name: string, body: () => Promise<void>): void {
  if (IS_ROOT) {
    it(name, body);
  } else if (REQUIRE_SERVICES) {
    it(name, () => {
      throw new Error(`needs root to chown a file to nobody (CC_EXECUTOR_REQUIRE_SERVICES=1)`);
    });
  } else {
    console.warn(`SKIPPED (not root, cannot chown to nobody): ${name}`);
    it.skip(name, body);
  }
}

/** The CLI refused with one line naming `path`, no stack, nothing listening. */
async function expectRefused(
  args: string[],
  where: { cwd: string; home: string },
  path: string,
  fix: RegExp,
): Promise<void> {
  const exit = await runCli(args, { env: cliEnv(where.home), cwd: where.cwd });
  expect(exit.code, exit.stderr).toBe(2);
  expect(exit.stderr).toContain(path);
  expect(exit.stderr).toMatch(fix);
  expect(exit.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(exit.stderr).not.toMatch(/\n\s+at /);
  expect(exit.stdout).not.toMatch(/listening on/);
  expect(existsSync(join(where.home, "server.json"))).toBe(false);
}

const OTHER_USER = /belongs to another user \(uid 65534.*chown/;
const OTHERS_WRITE = /can be written by other users \(mode \d+\); run: chmod go-w/;

describe("settings files of another user", () => {
  asRoot("a .env owned by nobody (auth none) stops `server start`, naming the file", async () => {
    const where = workspace();
    const dotenv = plant(
      join(where.cwd, ".env"),
      "CC_EXECUTOR_AUTH=none\nCC_EXECUTOR_ALLOWED_ORIGINS=http://evil.example\n",
      0o644,
      NOBODY,
    );
    await expectRefused(["server", "start", "--port", "0"], where, dotenv, OTHER_USER);
  });

  asRoot(
    "a config file owned by nobody with a pre-hook: refused, the hook never runs",
    async () => {
      const where = workspace();
      const marker = join(where.cwd, "hook-ran");
      const config = plant(
        join(where.cwd, "cc-executor.config.json"),
        JSON.stringify({ hooks: { pre: [{ command: `touch ${marker}` }] } }),
        0o644,
        NOBODY,
      );
      await expectRefused(["run", "true"], where, config, OTHER_USER);
      expect(existsSync(marker)).toBe(false);
    },
  );

  asRoot("a home owned by nobody is refused", async () => {
    const where = workspace();
    mkdirSync(where.home, { mode: 0o700 });
    chownSync(where.home, NOBODY, NOBODY);
    await expectRefused(["server", "start", "--port", "0"], where, where.home, OTHER_USER);
  });
});

describe("settings files others can write (any user)", () => {
  const AUTH_NONE: Record<string, string> = {
    ".env": "CC_EXECUTOR_AUTH=none\n",
    "cc-executor.config.json": JSON.stringify({ auth: "none" }),
  };
  it.each([
    [".env", "666"],
    [".env", "664"],
    ["cc-executor.config.json", "664"],
    ["cc-executor.config.json", "646"],
  ])("%s with mode %s in the cwd: `server start` refuses, naming it", async (name, mode) => {
    const where = workspace();
    const path = plant(join(where.cwd, name), AUTH_NONE[name] ?? "", Number.parseInt(mode, 8));
    await expectRefused(["server", "start", "--port", "0"], where, path, OTHERS_WRITE);
  });

  it("a group-writable config file in the home: `run` refuses, naming it", async () => {
    const where = workspace();
    mkdirSync(where.home, { mode: 0o700 });
    const path = plant(join(where.home, "cc-executor.config.json"), "{}", 0o660);
    await expectRefused(["run", "true"], where, path, OTHERS_WRITE);
  });

  it.each(["770", "757", "1777"])("a home with mode %s is refused", async (mode) => {
    const where = workspace();
    mkdirSync(where.home);
    chmodSync(where.home, Number.parseInt(mode, 8));
    await expectRefused(["server", "start", "--port", "0"], where, where.home, OTHERS_WRITE);
  });

  it("a FIFO planted as .env does not hang the start", async () => {
    const where = workspace();
    const fifo = join(where.cwd, ".env");
    const { execFileSync } = await import("node:child_process");
    execFileSync("mkfifo", ["-m", "600", fifo]);
    await expectRefused(["server", "start", "--port", "0"], where, fifo, /not a regular file/);
  });

  it("own files with mode 0644/0600 are read as before", async () => {
    const where = workspace();
    plant(join(where.cwd, ".env"), "CC_EXECUTOR_PORT=1234\n", 0o644);
    plant(join(where.cwd, "cc-executor.config.json"), JSON.stringify({ maxSessions: 7 }), 0o600);
    const settings = loadSettings({ cwd: where.cwd, env: { CC_EXECUTOR_HOME: where.home } });
    expect(settings).toMatchObject({ port: 1234, maxSessions: 7, home: where.home });
  });
});

describe("the no-auth warning names its source", () => {
  /** A real server from loadSettings; returns the warning it logged about auth. */
  async function warningFor(
    where: { cwd: string; home: string },
    env: NodeJS.ProcessEnv,
    noAuthFlag = false,
  ): Promise<string> {
    const settings = loadSettings({
      cwd: where.cwd,
      env: { CC_EXECUTOR_HOME: where.home, ...env },
      overrides: { port: 0, ...(noAuthFlag ? { auth: "none" as const } : {}) },
    });
    const lines: string[] = [];
    const server: RunningServer = await startServer(settings, {
      logger: createLogger("warn", (line) => lines.push(line)),
      audit: noAudit,
    });
    cleanup.push(() => server.close());
    const warning = lines.find((line) => line.includes("AUTHENTICATION IS OFF"));
    if (!warning) throw new Error(`no warning in ${lines.join("")}`);
    return (JSON.parse(warning) as { msg: string }).msg;
  }

  it("the flag, the environment, the .env file, the config file", async () => {
    const where = workspace();
    expect(await warningFor(where, {}, true)).toContain("(--no-auth)");
    expect(await warningFor(where, { CC_EXECUTOR_AUTH: "none" })).toContain(
      "(CC_EXECUTOR_AUTH=none in the environment)",
    );
    const config = plant(join(where.cwd, "cc-executor.config.json"), '{"auth":"none"}', 0o600);
    expect(await warningFor(where, {})).toContain(`("auth": "none" in ${config})`);
    const dotenv = plant(join(where.cwd, ".env"), "CC_EXECUTOR_AUTH=none\n", 0o600);
    expect(await warningFor(where, {})).toContain(`(CC_EXECUTOR_AUTH=none in ${dotenv})`);
  });

  it("`server start` with a trusted .env: starts, and the warning names the file", async () => {
    const where = workspace();
    const dotenv = plant(join(where.cwd, ".env"), "CC_EXECUTOR_AUTH=none\n", 0o600);
    const server = new CliProcess(["server", "start", "--port", "0"], {
      env: cliEnv(where.home),
      cwd: where.cwd,
    });
    cleanup.push(async () => {
      if (server.running) server.kill("SIGTERM");
      await server.exited;
    });
    await server.waitForStdout(/listening on/);
    server.kill("SIGTERM");
    const exit = await server.exited;
    expect(exit.stderr).toContain(`AUTHENTICATION IS OFF (CC_EXECUTOR_AUTH=none in ${dotenv})`);
  });
});
