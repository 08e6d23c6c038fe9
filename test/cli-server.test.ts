/**
 * `cc-executor server start | status | stop` as a user runs them: the built CLI in child
 * processes sharing one temporary home. A detached server is found by `status` and `run`,
 * a second start is refused, `stop` ends it and clears its record, and a foreground server
 * stops gracefully on SIGTERM. `--host`: ::1 is recorded, reported and served there; 0.0.0.0
 * warns and records URLs local clients can use; 0.0.0.0 with --no-auth is refused (DESIGN §11).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { stripVTControlCharacters } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../src/client/node.js";
import { type ServerInfo, writeServerInfo } from "../src/client/server-info.js";
import { homePaths } from "../src/config/home.js";
import { CliProcess, cliEnv, requireBuiltCli, runCli } from "./helpers/cli-process.js";
import { eventually, pidAlive } from "./helpers/processes.js";
import { tempDir } from "./helpers/test-server.js";

function readInfo(home: string): ServerInfo {
  return JSON.parse(readFileSync(homePaths(home).serverInfo, "utf8")) as ServerInfo;
}

/** `host` as it goes in a URL (an IPv6 address in brackets). */
async function healthz(port: number, host = "127.0.0.1"): Promise<boolean> {
  try {
    const response = await fetch(`http://${host}:${port}/healthz`);
    return response.status === 200;
  } catch {
    return false;
  }
}

/** Whether this machine can listen on `host` (IPv6 loopback may be disabled). */
async function canListen(host: string): Promise<boolean> {
  const server = createServer();
  const listening = await new Promise<boolean>((resolve) => {
    server.once("error", () => resolve(false));
    server.listen(0, host, () => resolve(true));
  });
  if (listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  return listening;
}

const ipv6Loopback = await canListen("::1");
if (!ipv6Loopback)
  console.warn("cli-server: no IPv6 loopback here, the --host ::1 test is skipped");

describe("cc-executor server", () => {
  const cleanups: Array<() => Promise<void> | void> = [];

  beforeAll(() => requireBuiltCli());
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A fresh home; whatever server it records is killed at the end of the test. */
  function newHome(): string {
    const home = tempDir("cce-server-home-");
    cleanups.push(async () => {
      if (existsSync(homePaths(home).serverInfo)) {
        const { pid } = readInfo(home);
        if (pidAlive(pid)) process.kill(pid, "SIGKILL");
        await eventually(() => !pidAlive(pid), 10_000);
      }
      rmSync(home, { recursive: true, force: true });
    });
    return home;
  }

  const cli = (home: string, args: string[]) => runCli(args, { env: cliEnv(home) });
  /** `server start --port 0 --host <host> --detach`, which must succeed; what it printed. */
  async function startDetached(home: string, host: string): Promise<string> {
    const started = await cli(home, ["server", "start", "--port", "0", "--host", host, "--detach"]);
    expect(started.code, started.stderr).toBe(0);
    return started.stdout;
  }

  describe("a detached server (steps in order, one server)", () => {
    let home: string;
    let info: ServerInfo;

    beforeAll(() => {
      home = tempDir("cce-server-home-");
    });
    afterAll(async () => {
      // Whatever the steps left: no server survives the suite.
      if (info && pidAlive(info.pid)) process.kill(info.pid, "SIGKILL");
      if (info) await eventually(() => !pidAlive(info.pid), 10_000);
      rmSync(home, { recursive: true, force: true });
    });

    it("start --port 0 --detach: returns once healthy; the record has the real port", async () => {
      const started = await cli(home, ["server", "start", "--port", "0", "--detach"]);
      expect(started.code, started.stderr).toBe(0);
      info = readInfo(home);
      expect(info.port).toBeGreaterThan(0);
      expect(pidAlive(info.pid)).toBe(true);
      expect(started.stdout).toContain(`pid ${info.pid}`);
      expect(started.stdout).toContain(info.url);
      expect(await healthz(info.port)).toBe(true);
      // Started in the background with the V8 flags the cc-executor command uses.
      const argv = readFileSync(`/proc/${info.pid}/cmdline`, "utf8").split("\0");
      expect(argv).toContain("--max-semi-space-size=2");
    });

    it("status: exit 0 with pid and url; --json machine-readable", async () => {
      const status = await cli(home, ["server", "status"]);
      expect(status.code).toBe(0);
      expect(status.stdout).toContain(`pid ${info.pid}`);
      expect(status.stdout).toContain(info.url);

      const json = await cli(home, ["server", "status", "--json"]);
      expect(json.code).toBe(0);
      const parsed = JSON.parse(json.stdout) as Record<string, unknown>;
      expect(parsed).toMatchObject({
        running: true,
        pid: info.pid,
        port: info.port,
        url: info.url,
        wsUrl: info.wsUrl,
      });
      expect(parsed.health).toMatchObject({ status: "ok", pid: info.pid });
    });

    it("a second start (foreground or detached) is refused while it runs", async () => {
      for (const args of [
        ["--port", "0"],
        ["--port", "0", "--detach"],
      ]) {
        const second = await cli(home, ["server", "start", ...args]);
        expect(second.code).toBe(1);
        expect(second.stderr).toMatch(/already running/);
        expect(second.stderr).toContain(`pid ${info.pid}`);
      }
      expect(readInfo(home).pid).toBe(info.pid);
    });

    it("run uses it: the execution is in the server's executions.list", async () => {
      const command = `echo through-detached-${Date.now()}`;
      const ran = await cli(home, ["run", command]);
      expect(ran.code, ran.stderr).toBe(0);
      const client = await connect({ home });
      try {
        const listed = await client.request("executions.list", {});
        expect(listed.executions.map((e) => e.command)).toContain(command);
      } finally {
        client.close();
      }
    });

    it("stop: the process is gone, server.json and server.pid removed", async () => {
      const stopped = await cli(home, ["server", "stop"]);
      expect(stopped.code).toBe(0);
      expect(stopped.stdout).toContain(`${info.pid}`);
      expect(await eventually(() => !pidAlive(info.pid), 15_000)).toBe(true);
      expect(existsSync(homePaths(home).serverInfo)).toBe(false);
      expect(existsSync(homePaths(home).pidFile)).toBe(false);
    });

    it("status afterwards: exit 3, 'no server running' / {running:false}", async () => {
      const after = await cli(home, ["server", "status"]);
      expect(after.code).toBe(3);
      expect(after.stdout).toMatch(/no server running/);
      const afterJson = await cli(home, ["server", "status", "--json"]);
      expect(afterJson.code).toBe(3);
      expect(JSON.parse(afterJson.stdout)).toEqual({ running: false });
    });
  });

  it("restart: a new process on the same port and host as before", async () => {
    const home = newHome();
    await startDetached(home, "127.0.0.1");
    const before = readInfo(home);
    const restarted = await cli(home, ["server", "restart"]);
    expect(restarted.code, restarted.stderr).toBe(0);
    const after = readInfo(home);
    expect(after.pid).not.toBe(before.pid);
    expect(pidAlive(before.pid)).toBe(false);
    expect(after).toMatchObject({ port: before.port, host: before.host });
    expect(await healthz(after.port)).toBe(true);
    expect((await cli(home, ["server", "stop"])).code).toBe(0);
    expect(await eventually(() => !pidAlive(after.pid), 15_000)).toBe(true);
  });

  it("restart with a token file a start would refuse: says so and leaves the old server running", async () => {
    const home = newHome();
    await startDetached(home, "127.0.0.1");
    const before = readInfo(home);
    chmodSync(homePaths(home).token, 0o644);
    const restarted = await cli(home, ["server", "restart"]);
    expect(restarted.code).toBe(1);
    expect(restarted.stderr).toContain("is readable by other users");
    expect(pidAlive(before.pid)).toBe(true);
    expect(await healthz(before.port)).toBe(true);
    chmodSync(homePaths(home).token, 0o600);
    expect((await cli(home, ["server", "stop"])).code).toBe(0);
    expect(await eventually(() => !pidAlive(before.pid), 15_000)).toBe(true);
  });

  /** The commands of the executions the home's server knows, through the SDK. */
  async function listedCommands(home: string): Promise<string[]> {
    const client = await connect({ home, reconnect: false });
    try {
      const listed = await client.request("executions.list", {});
      return listed.executions.map((e) => e.command);
    } finally {
      client.close();
    }
  }

  it.skipIf(!ipv6Loopback)(
    "--host ::1: recorded, reported by status, served there (HTTP, SDK, run), stopped",
    async () => {
      const home = newHome();
      const startedOutput = await startDetached(home, "::1");
      const info = readInfo(home);
      expect(info.port).toBeGreaterThan(0);
      expect(info).toMatchObject({
        host: "::1",
        url: `http://[::1]:${info.port}`,
        wsUrl: `ws://[::1]:${info.port}/ws/mcp`,
      });
      expect(startedOutput).toContain(info.url);
      // Bound where asked: IPv6 loopback answers; IPv4 loopback on that port does not.
      expect(await healthz(info.port, "[::1]")).toBe(true);
      expect(await healthz(info.port, "127.0.0.1")).toBe(false);

      const status = await cli(home, ["server", "status"]);
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toContain(`pid ${info.pid}, ${info.url}`);
      const json = await cli(home, ["server", "status", "--json"]);
      expect(json.code, json.stderr).toBe(0);
      expect(JSON.parse(json.stdout)).toMatchObject({
        running: true,
        pid: info.pid,
        host: "::1",
        port: info.port,
        url: info.url,
        health: { status: "ok", pid: info.pid },
      });

      // The SDK finds the server through the record and runs a command over the WebSocket.
      const client = await connect({ home, reconnect: false });
      try {
        const result = await client.execute("echo over-ipv6");
        expect(result).toMatchObject({ status: "completed", exitCode: 0, stdout: "over-ipv6\n" });
      } finally {
        client.close();
      }
      // `run` uses that server too, not one started in its own process.
      const command = `echo run-over-ipv6-${Date.now()}`;
      const ran = await cli(home, ["run", command]);
      expect(ran.code, ran.stderr).toBe(0);
      expect(ran.stdout).toContain(command.slice("echo ".length));
      expect(await listedCommands(home)).toEqual(
        expect.arrayContaining(["echo over-ipv6", command]),
      );

      const stopped = await cli(home, ["server", "stop"]);
      expect(stopped.code, stopped.stderr).toBe(0);
      expect(stopped.stdout).toContain(`stopped server pid ${info.pid}`);
      expect(await eventually(() => !pidAlive(info.pid), 15_000)).toBe(true);
      expect(existsSync(homePaths(home).serverInfo)).toBe(false);
      expect(await healthz(info.port, "[::1]")).toBe(false);
    },
  );

  it("--host 0.0.0.0: served with a warning; the record's URLs are ones local clients can use", async () => {
    const home = newHome();
    const server = new CliProcess(["server", "start", "--host", "0.0.0.0", "--port", "0"], {
      env: cliEnv(home),
    });
    cleanups.push(() => {
      if (server.running) server.kill("SIGKILL");
    });
    await server.waitForStdout(/listening on/);
    const info = readInfo(home);
    // The bind is recorded as asked; the URLs name loopback, since the allow-list refuses a
    // Host of 0.0.0.0 (a browser reaches loopback through it).
    expect(info).toMatchObject({
      pid: server.pid,
      host: "0.0.0.0",
      url: `http://127.0.0.1:${info.port}`,
      wsUrl: `ws://127.0.0.1:${info.port}/ws/mcp`,
    });
    expect(server.stdout).toContain(`listening on ${info.url}`);
    expect(server.stdout).toContain("bound to 0.0.0.0");
    // The token is still required (asked here over loopback, the address local clients use).
    expect((await fetch(`${info.url}/health`)).status).toBe(401);

    const status = await cli(home, ["server", "status", "--json"]);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ host: "0.0.0.0", health: { status: "ok" } });
    const command = `echo through-wildcard-${Date.now()}`;
    const ran = await cli(home, ["run", command]);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toContain(command.slice("echo ".length));
    expect(await listedCommands(home)).toContain(command);

    server.kill("SIGTERM");
    const exit = await server.exited;
    expect(exit.code, exit.stderr).toBe(0);
    expect(exit.stderr).toContain("listening beyond loopback: only the token protects this server");
    // Piped, the log is JSON lines (pino's shape) for machines.
    const warning = exit.stderr.split("\n").find((line) => line.includes("beyond loopback"));
    expect(JSON.parse(warning ?? "")).toMatchObject({ level: 40, host: "0.0.0.0" });
  });

  it("on a terminal, the log is readable lines (the beyond-loopback warning a plain one); --log-format json keeps JSON", async () => {
    const home = newHome();
    const args = ["server", "start", "--host", "0.0.0.0", "--port", "0"];
    const server = new CliProcess(args, { env: cliEnv(home), pty: true });
    cleanups.push(() => {
      if (server.running) server.kill("SIGKILL");
    });
    await server.waitForStdout(/cc-executor listening[^\n]*\n/);
    const screen = stripVTControlCharacters(server.stdout);
    expect(screen).toMatch(
      /\d\d:\d\d:\d\d WARN {2}listening beyond loopback: only the token protects this server · host=0\.0\.0\.0\r\n/,
    );
    expect(screen).toMatch(
      /\d\d:\d\d:\d\d INFO {2}cc-executor listening · host=0\.0\.0\.0 port=\d+/,
    );
    expect(server.stdout).not.toContain('{"level"');
    const stopped = await cli(home, ["server", "stop"]);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect((await server.exited).code).toBe(0);

    const json = new CliProcess([...args, "--log-format", "json"], {
      env: cliEnv(home),
      pty: true,
    });
    cleanups.push(() => {
      if (json.running) json.kill("SIGKILL");
    });
    await json.waitForStdout(/beyond loopback[^\n]*\n/);
    const line = json.stdout.split("\r\n").find((text) => text.includes("beyond loopback"));
    expect(JSON.parse(line ?? "")).toMatchObject({ level: 40, host: "0.0.0.0" });
    expect((await cli(home, ["server", "stop"])).code).toBe(0);
    await json.exited;

    const bad = await cli(home, ["server", "start", "--log-format", "xml"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("cc-executor: --log-format: expected json or pretty, got xml\n");
  });

  it("--host 0.0.0.0 --no-auth: refused with exit 1, nothing listening or recorded", async () => {
    const home = newHome();
    const refused = await cli(home, [
      "server",
      "start",
      "--host",
      "0.0.0.0",
      "--port",
      "0",
      "--no-auth",
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      "refusing to serve 0.0.0.0 without a token: --no-auth is loopback only",
    );
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    expect(refused.stdout).not.toMatch(/listening on/);
    expect(existsSync(homePaths(home).serverInfo)).toBe(false);
  });

  it("foreground start, then SIGTERM: a graceful stop, exit 0, record removed", async () => {
    const home = newHome();
    const server = new CliProcess(["server", "start", "--port", "0"], { env: cliEnv(home) });
    cleanups.push(() => {
      if (server.running) server.kill("SIGKILL");
    });
    await server.waitForStdout(/listening on/);
    const info = readInfo(home);
    expect(info.pid).toBe(server.pid);
    expect(server.stdout).toContain(info.url);
    expect(await healthz(info.port)).toBe(true);

    // A command in flight is interrupted, not orphaned, by the stop.
    const client = await connect({ home, reconnect: false });
    const stream = client.stream("echo up; sleep 300", { collectOutput: true });
    const started = await stream.started;
    const completion = stream.result.catch((error: unknown) => error);

    server.kill("SIGTERM");
    const exit = await server.exited;
    expect(exit.code, exit.stderr).toBe(0);
    expect(exit.stderr).toMatch(/SIGTERM/);
    expect(await completion).toMatchObject({ status: "interrupted" });
    client.close();
    if (started.status === "started") {
      expect(await eventually(() => !pidAlive(started.pid), 15_000)).toBe(true);
    }
    expect(existsSync(homePaths(home).serverInfo)).toBe(false);
    expect(existsSync(homePaths(home).pidFile)).toBe(false);
    expect(await healthz(info.port)).toBe(false);
  });

  /** A port some other program holds, for the whole test. */
  async function busyPort(): Promise<string> {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    return String((blocker.address() as AddressInfo).port);
  }

  it("a busy port, foreground: exit 1 with 'cannot listen', no stack trace", async () => {
    const home = newHome();
    const foreground = await cli(home, ["server", "start", "--port", await busyPort()]);
    expect(foreground.code).toBe(1);
    expect(foreground.stderr).toMatch(/cannot listen/);
    expect(foreground.stderr).not.toMatch(/\n\s+at /);
  });

  it("a busy port, detached: exit 1 pointing at the log, no record left", async () => {
    const home = newHome();
    const detached = await cli(home, ["server", "start", "--port", await busyPort(), "--detach"]);
    expect(detached.code).toBe(1);
    expect(detached.stderr).toMatch(/did not start/);
    // The reason itself, from the log, not only where to look.
    expect(detached.stderr).toMatch(/cannot listen/);
    expect(detached.stderr).toContain("server.log");
    expect(existsSync(homePaths(home).serverInfo)).toBe(false);
  });

  it("status with a stale record (pid alive, nothing answering): exit 1, a message, no stack", async () => {
    const home = newHome();
    mkdirSync(home, { recursive: true });
    // A live pid that is not a server (this test process) and a port nobody listens on.
    writeServerInfo(homePaths(home).serverInfo, {
      pid: process.pid,
      host: "127.0.0.1",
      port: 9,
      url: "http://127.0.0.1:9",
      wsUrl: "ws://127.0.0.1:9/ws/mcp",
      startedAt: new Date().toISOString(),
      version: "0.0.0",
    });
    const status = await cli(home, ["server", "status"]);
    rmSync(homePaths(home).serverInfo); // not ours to kill in cleanup
    expect(status.code).toBe(1);
    expect(status.stderr).toContain("not answering");
    expect(status.stderr).not.toMatch(/\n\s+at /);
  });

  it("stop with no server running says so", async () => {
    const home = newHome();
    const stopped = await cli(home, ["server", "stop"]);
    expect(stopped.code).toBe(0); // idempotent, like stopping a stopped service
    expect(stopped.stdout).toMatch(/no server running/);
  });
});
