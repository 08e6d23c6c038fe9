/**
 * `cc-executor run` as a user runs it: the built CLI in a child process with its own home.
 * Exit codes (the command's own, 128+n for a signal, 124 on timeout, 130 on Ctrl-C), the two
 * streams kept apart and live, --cwd, an in-process server when none runs (and none left
 * behind), and a running server used when there is one.
 */
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeServerInfo } from "../src/client/server-info.js";
import { homePaths } from "../src/config/home.js";
import { VERSION } from "../src/protocol/version.js";
import { CliProcess, cliEnv, groupPids, requireBuiltCli, runCli } from "./helpers/cli-process.js";
import { eventually } from "./helpers/processes.js";
import { startTestServer, type TestServer, tempDir } from "./helpers/test-server.js";

/** A server the CLI finds as it finds one `server start` began: by its recorded info and token. */
async function startFoundServer(overrides: Parameters<typeof startTestServer>[0] = {}) {
  const server = await startTestServer(overrides);
  writeServerInfo(homePaths(server.home).serverInfo, {
    pid: process.pid,
    host: server.host,
    port: server.port,
    url: server.url,
    wsUrl: server.wsUrl,
    startedAt: new Date().toISOString(),
    version: VERSION,
  });
  return server;
}

describe("cc-executor run", () => {
  let home: string;
  let workDir: string;

  beforeAll(() => {
    requireBuiltCli();
    home = tempDir("cce-cli-home-");
    workDir = realpathSync(tempDir("cce-cli-work-"));
  });
  afterAll(() => {
    rmSync(home, { recursive: true, force: true });
    rmSync(workDir, { recursive: true, force: true });
  });

  const run = (command: string, flags: string[] = [], cwd = workDir) =>
    runCli(["run", ...flags, command], { env: cliEnv(home), cwd });

  describe("with no server running (in-process server)", () => {
    it("exit 0; stdout and stderr each go to their own stream", async () => {
      const exit = await run("echo to-out; echo to-err >&2; echo more-out");
      expect(exit).toMatchObject({ code: 0, stdout: "to-out\nmore-out\n", stderr: "to-err\n" });
    });

    it("takes options after the command's first word as the command's own, like npx", async () => {
      const exit = await runCli(["run", "--timeout", "30", "printf", "%s-%s", "-n", "--cwd"], {
        env: cliEnv(home),
        cwd: workDir,
      });
      expect(exit).toMatchObject({ code: 0, stdout: "-n---cwd", stderr: "" });
      const dashed = await runCli(["run", "--", "echo", "--timeout"], { env: cliEnv(home) });
      expect(dashed).toMatchObject({ code: 0, stdout: "--timeout\n" });
    });

    it("several words are the command and its arguments, each passed on as one word", async () => {
      const words = ["sh", "-c", "echo from; printf '%s|' \"$@\"", "sh", "it's", "a b", "$HOME"];
      const exit = await runCli(["run", "--", ...words], { env: cliEnv(home), cwd: workDir });
      expect(exit).toMatchObject({ code: 0, stdout: "from\nit's|a b|$HOME|", stderr: "" });
    });

    it("exits with the command's code (3)", async () => {
      const exit = await run("echo partial; exit 3");
      expect(exit).toMatchObject({ code: 3, stdout: "partial\n" });
    });

    it("a command killed by SIGKILL exits 128+9", async () => {
      const exit = await run("echo before; kill -9 $$");
      expect(exit).toMatchObject({ code: 137, stdout: "before\n" });
    });

    it("--timeout: exit 124 and says so on stderr", async () => {
      const exit = await run("echo started; sleep 30", ["--timeout", "0.5"]);
      expect(exit.code).toBe(124);
      expect(exit.stdout).toBe("started\n");
      expect(exit.stderr).toMatch(/timed out/);
    });

    it("output is live: the first line arrives while the command still runs", async () => {
      const release = join(workDir, "release-live");
      const cli = new CliProcess(
        ["run", `echo ready; while [ ! -e '${release}' ]; do sleep 0.02; done; echo finished`],
        { env: cliEnv(home), cwd: workDir },
      );
      await cli.waitForStdout(/ready\n/);
      expect(cli.running).toBe(true);
      expect(cli.stdout).toBe("ready\n");
      writeFileSync(release, "");
      const exit = await cli.exited;
      expect(exit).toMatchObject({ code: 0, stdout: "ready\nfinished\n" });
    });

    it("runs in the current directory by default, and in --cwd (relative to it)", async () => {
      mkdirSync(join(workDir, "sub"), { recursive: true });
      expect((await run("pwd")).stdout).toBe(`${workDir}\n`);
      expect((await run("pwd", ["--cwd", "sub"])).stdout).toBe(`${join(workDir, "sub")}\n`);
    });

    it("a --cwd that does not exist: a clear error, exit 125 (cc-executor's own failure)", async () => {
      const exit = await run("pwd", ["--cwd", "no-such-dir"]);
      expect(exit.code).toBe(125);
      expect(exit.stderr).toContain(join(workDir, "no-such-dir"));
      expect(exit.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    });

    it("leaves no server and no process behind", async () => {
      const pidFile = join(workDir, "leader-pid");
      const exit = await run(`echo $$ > '${pidFile}'; sleep 0.2 & echo done`);
      expect(exit.code).toBe(0);
      const pgid = Number(readFileSync(pidFile, "utf8"));
      expect(await eventually(() => groupPids(pgid).length === 0, 15_000)).toBe(true);
      expect(existsSync(homePaths(home).serverInfo)).toBe(false);
      expect(existsSync(homePaths(home).pidFile)).toBe(false);
    });

    it("SIGINT cancels the command: exit 130, its process group gone", async () => {
      const pidFile = join(workDir, "sigint-pid");
      const cli = new CliProcess(
        ["run", `echo $$ > '${pidFile}'; echo ready; sleep 300; echo never`],
        {
          env: cliEnv(home),
          cwd: workDir,
        },
      );
      await cli.waitForStdout(/ready\n/);
      const pgid = Number(readFileSync(pidFile, "utf8"));
      expect(groupPids(pgid).length).toBeGreaterThan(0);
      cli.kill("SIGINT");
      const exit = await cli.exited;
      expect(exit.code).toBe(130);
      expect(exit.stdout).toBe("ready\n");
      expect(await eventually(() => groupPids(pgid).length === 0, 15_000)).toBe(true);
    });

    it("a bad flag fails before anything runs (exit 2)", async () => {
      const exit = await run("echo never", ["--timeout", "soon"]);
      expect(exit).toMatchObject({ code: 2, stdout: "" });
      expect(exit.stderr).toMatch(/--timeout/);
    });

    it("CC_EXECUTOR_URL naming a server that does not answer: an error, nothing run elsewhere", async () => {
      const marker = join(workDir, "must-not-exist");
      const exit = await runCli(["run", `touch '${marker}'`], {
        env: cliEnv(home, { CC_EXECUTOR_URL: "ws://127.0.0.1:9/ws/mcp" }),
        cwd: workDir,
      });
      expect(exit.code).toBe(1);
      expect(exit.stderr).toContain("ws://127.0.0.1:9/ws/mcp");
      expect(existsSync(marker)).toBe(false);
    });
  });

  describe("with a server whose one slot is busy", () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startFoundServer({ maxConcurrent: 1 });
    });
    afterAll(async () => {
      await server?.stop();
    });

    it("on a terminal, says the command waits to start, then runs it", async () => {
      const release = join(workDir, "release-slot");
      const holder = new CliProcess(
        ["run", `echo holding; while [ ! -e '${release}' ]; do sleep 0.02; done`],
        { env: cliEnv(server.home), cwd: workDir },
      );
      await holder.waitForStdout(/holding\n/);
      const waiting = new CliProcess(["run", "echo finally-ran"], {
        env: cliEnv(server.home),
        cwd: workDir,
        pty: true,
      });
      await waiting.waitForStdout(/queued \(position 1\): waiting for a free slot/);
      writeFileSync(release, "");
      await waiting.waitForStdout(/finally-ran/);
      expect((await waiting.exited).code).toBe(0);
      expect((await holder.exited).code).toBe(0);
    });
  });

  describe("with a server running", () => {
    let server: TestServer;

    beforeAll(async () => {
      server = await startFoundServer();
    });
    afterAll(async () => {
      await server?.stop();
    });

    const runThere = (command: string, flags: string[] = []) =>
      runCli(["run", ...flags, command], { env: cliEnv(server.home), cwd: workDir });

    function executionsRunning(command: string) {
      return server.context.engine
        .list({ limit: 10_000 })
        .filter((execution) => execution.spec.command === command);
    }

    it("uses it: the execution shows up in the server's list", async () => {
      const command = `echo via-running-server-${Date.now()}`;
      const exit = await runThere(command);
      expect(exit).toMatchObject({ code: 0, stdout: `${command.slice(5)}\n` });
      const [execution, ...others] = executionsRunning(command);
      expect(others).toEqual([]);
      expect(execution?.status).toBe("completed");
    });

    it("--cwd is resolved where the CLI runs, not where the server runs", async () => {
      mkdirSync(join(workDir, "there"), { recursive: true });
      const exit = await runThere("pwd", ["--cwd", "there"]);
      expect(exit.stdout).toBe(`${join(workDir, "there")}\n`);
    });

    it("exit codes are the same through a running server", async () => {
      expect((await runThere("exit 3")).code).toBe(3);
      expect((await runThere("kill -9 $$")).code).toBe(137);
      expect((await runThere("sleep 30", ["--timeout", "0.5"])).code).toBe(124);
    });

    it("SIGINT cancels the execution on the server (exit 130)", async () => {
      const command = `echo ready; sleep 300 # sigint-${Date.now()}`;
      const cli = new CliProcess(["run", command], { env: cliEnv(server.home), cwd: workDir });
      await cli.waitForStdout(/ready\n/);
      cli.kill("SIGINT");
      expect((await cli.exited).code).toBe(130);
      const [execution] = executionsRunning(command);
      expect(await eventually(() => execution?.status === "canceled", 15_000)).toBe(true);
    });
  });
});
