/**
 * The SDK's `execute` against a real server over a real socket: every field of the result for
 * each way a command can end (a spawn failure too), the errors that are exceptions (bad cwd,
 * empty command), the cwd/env options, and how `connect` finds the server and its token by itself.
 */

import { mkdirSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import WebSocket from "ws";
import { connect as connectFromBrowser } from "../src/client/browser.js";
import {
  type CcExecutorClient,
  ConnectionLostError,
  connect,
  HandshakeRefusedError,
  RemoteError,
} from "../src/client/node.js";
import { writeServerInfo } from "../src/client/server-info.js";
import { homePaths } from "../src/config/home.js";
import type { SettingsInput } from "../src/config/settings.js";
import type { LocalEngine } from "../src/engine/local-engine.js";
import { ErrorCode } from "../src/protocol/errors.js";
import { VERSION } from "../src/protocol/version.js";
import { startTestServer, type TestServer, tempDir } from "./helpers/test-server.js";

/** Variables that would let `connect` find a server or token some other way than the home. */
const DISCOVERY_ENV = ["CC_EXECUTOR_URL", "CC_EXECUTOR_TOKEN", "CC_EXECUTOR_HOME"] as const;

/** Runs `body` with a client of a server of its own (started with `overrides`), then stops both. */
async function withOwnServer(
  overrides: Partial<SettingsInput>,
  body: (client: CcExecutorClient, server: TestServer) => Promise<void>,
): Promise<void> {
  const server = await startTestServer(overrides);
  try {
    const client = await connect({ url: server.wsUrl, token: server.token });
    try {
      await body(client, server);
    } finally {
      client.close();
    }
  } finally {
    await server.stop();
  }
}

describe("client execute", () => {
  let server: TestServer;
  let client: CcExecutorClient;
  let workDir: string;
  const savedEnv = new Map<string, string | undefined>();

  beforeAll(async () => {
    for (const name of DISCOVERY_ENV) {
      savedEnv.set(name, process.env[name]);
      delete process.env[name];
    }
    // Children inherit the environment the server started with.
    process.env.CCE_TEST_INHERITED = "from-server";
    server = await startTestServer();
    client = await connect({ url: server.wsUrl, token: server.token });
    workDir = realpathSync(tempDir("cce-client-cwd-"));
  });
  afterAll(async () => {
    client?.close();
    await server?.stop();
    rmSync(workDir, { recursive: true, force: true });
    for (const [name, value] of savedEnv) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it("success: every field of the result", async () => {
    const result = await client.execute("echo out-line; echo err-line >&2");
    expect(result).toMatchObject({
      success: true,
      status: "completed",
      exitCode: 0,
      signal: null,
      stdout: "out-line\n",
      stderr: "err-line\n",
      error: null,
    });
    expect(result.executionId).toEqual(expect.any(String));
    expect(result.durationMs).toBeGreaterThan(0);
    expect(result.durationMs).toBeLessThan(30_000);
    expect(result.outputs).toBeGreaterThanOrEqual(2); // one per stream at least
    expect(result.timeoutKind).toBeUndefined();
    expect(result.completion).toMatchObject({
      execution_id: result.executionId,
      status: "completed",
    });
  });

  it("a non-zero exit is a result, not an exception", async () => {
    const result = await client.execute("echo partial; exit 3");
    expect(result).toMatchObject({
      success: false,
      status: "failed",
      exitCode: 3,
      signal: null,
      stdout: "partial\n",
      stderr: "",
      error: null,
    });
  });

  it("death by signal: exit code null, the signal named", async () => {
    const result = await client.execute("echo before; kill -9 $$");
    expect(result).toMatchObject({
      success: false,
      status: "failed",
      exitCode: null,
      signal: "SIGKILL",
      stdout: "before\n",
    });
  });

  it("wall-clock timeout: status timed_out, timeoutKind wall, output so far kept", async () => {
    const result = await client.execute("echo started; sleep 30", { timeoutMs: 500 });
    expect(result).toMatchObject({
      success: false,
      status: "timed_out",
      timeoutKind: "wall",
      stdout: "started\n",
      signal: "SIGTERM",
    });
    expect(result.durationMs).toBeGreaterThanOrEqual(450);
    expect(result.durationMs).toBeLessThan(20_000);
  });

  it("idle timeout: status timed_out, timeoutKind idle", async () => {
    const result = await client.execute("echo once; sleep 30", { idleTimeoutMs: 400 });
    expect(result).toMatchObject({ status: "timed_out", timeoutKind: "idle", success: false });
  });

  /** What a result says of a command whose process never started. */
  const NEVER_STARTED = {
    success: false,
    status: "failed",
    exitCode: null,
    signal: null,
    stdout: "",
  };

  it("a spawn failure is a result: failed, no exit code, the error naming the shell", async () => {
    await withOwnServer({}, async (own, ownServer) => {
      (ownServer.context.engine as LocalEngine).parts.shellPath = "/nonexistent/shell";
      const result = await own.execute("echo never");
      expect(result).toMatchObject({ ...NEVER_STARTED, stderr: "", outputs: 0 });
      expect(result.error).toEqual(expect.stringContaining("could not start"));
      expect(result.error).toContain("/nonexistent/shell");
      expect(result.error).toContain("ENOENT");
      expect(result.completion).toMatchObject({ status: "failed", error: result.error });
    });
  });

  it("a cwd removed while the execution was queued: failed, the error naming the cwd", async () => {
    await withOwnServer({ maxConcurrent: 1 }, async (own) => {
      const dir = realpathSync(tempDir("cce-client-gone-"));
      const blockerId = `blocker-${Date.now()}`;
      const blocker = own.execute("exec sleep 30", { executionId: blockerId });
      const queued = own.execute("pwd", { cwd: dir });
      // A connection's requests are handled one at a time, in order: both are admitted now.
      expect((await own.serverStatus()).executions).toMatchObject({ running: 1, queued: 1 });
      rmSync(dir, { recursive: true });
      await own.cancel(blockerId);
      expect((await blocker).status).toBe("canceled");
      const result = await queued;
      expect(result).toMatchObject(NEVER_STARTED);
      expect(result.error).toEqual(expect.stringContaining("could not start"));
      expect(result.error).toContain(`cwd does not exist: ${dir}`);
    });
  });

  it("a cwd that does not exist is a RemoteError -32602 naming it", async () => {
    const missing = join(workDir, "no-such-dir");
    const error = await client.execute("pwd", { cwd: missing }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).code).toBe(ErrorCode.InvalidParams);
    expect((error as RemoteError).message).toContain(missing);
  });

  it("a cwd that is a file is a RemoteError -32602", async () => {
    const file = join(workDir, "a-file");
    writeFileSync(file, "x");
    const error = await client.execute("pwd", { cwd: file }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).code).toBe(ErrorCode.InvalidParams);
  });

  it("an empty command is a RemoteError -32001", async () => {
    for (const command of ["", "   "]) {
      const error = await client.execute(command).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RemoteError);
      expect((error as RemoteError).code).toBe(ErrorCode.CommandNotAllowed);
    }
  });

  it("cwd option: the command runs there", async () => {
    const sub = join(workDir, "sub dir");
    mkdirSync(sub, { recursive: true });
    const result = await client.execute("pwd", { cwd: sub });
    expect(result.stdout).toBe(`${sub}\n`);
  });

  it("env option: merged over the server's environment; null removes a variable", async () => {
    try {
      const result = await client.execute(
        // Shell parameter expansion, not a template placeholder.
        `echo "a=$CCE_A b=$CCE_B inherited=\${CCE_TEST_INHERITED-unset} path=\${PATH:+set}"`,
        { env: { CCE_A: "one", CCE_B: "two words", CCE_TEST_INHERITED: null } },
      );
      expect(result.stdout).toBe("a=one b=two words inherited=unset path=set\n");
      const inherited = await client.execute('echo "$CCE_TEST_INHERITED"');
      expect(inherited.stdout).toBe("from-server\n");
    } finally {
      delete process.env.CCE_TEST_INHERITED;
    }
  });

  it("outputs equals the number of process.output notifications of the execution", async () => {
    const executionId = `count-${Date.now()}`;
    let notifications = 0;
    const off = client.rpc.on("process.output", (params) => {
      if (params.execution_id === executionId) notifications++;
    });
    try {
      const result = await client.execute(
        "for i in 1 2 3 4 5; do echo out-$i; echo err-$i >&2; sleep 0.05; done",
        { executionId },
      );
      expect(result.executionId).toBe(executionId);
      expect(result.outputs).toBe(notifications);
      expect(result.outputs).toBeGreaterThanOrEqual(2);
      expect(result.outputs).toBe(result.completion.last_seq);
      expect(result.stdout).toBe("out-1\nout-2\nout-3\nout-4\nout-5\n");
      expect(result.stderr).toBe("err-1\nerr-2\nerr-3\nerr-4\nerr-5\n");
    } finally {
      off();
    }
  });

  it("an execution_id already in use is a RemoteError, and the first run is unaffected", async () => {
    const executionId = `dup-${Date.now()}`;
    const first = await client.execute("echo first", { executionId });
    const error = await client.execute("echo second", { executionId }).catch((e: unknown) => e);
    expect(first.stdout).toBe("first\n");
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).code).toBe(ErrorCode.InvalidParams);
  });

  describe("connect", () => {
    it("{home}: finds the recorded server and reads the token file itself", async () => {
      writeServerInfo(homePaths(server.home).serverInfo, {
        pid: process.pid,
        host: server.host,
        port: server.port,
        url: server.url,
        wsUrl: server.wsUrl,
        startedAt: new Date().toISOString(),
        version: VERSION,
      });
      try {
        const own = await connect({ home: server.home });
        try {
          const result = await own.execute("echo found");
          expect(result.stdout).toBe("found\n");
          expect(own.rpc.sessionId).toEqual(expect.any(String));
        } finally {
          own.close();
        }
      } finally {
        rmSync(homePaths(server.home).serverInfo, { force: true });
      }
    });

    it("$CC_EXECUTOR_HOME: no options at all", async () => {
      process.env.CC_EXECUTOR_HOME = server.home;
      try {
        const own = await connect({ url: server.wsUrl });
        try {
          expect((await own.execute("echo env-home")).stdout).toBe("env-home\n");
        } finally {
          own.close();
        }
      } finally {
        delete process.env.CC_EXECUTOR_HOME;
      }
    });

    it("a wrong token fails at once and says the server refused it (401)", async () => {
      const error = await connect({
        url: server.wsUrl,
        token: "0".repeat(64),
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HandshakeRefusedError);
      expect(error).toBeInstanceOf(ConnectionLostError);
      expect((error as HandshakeRefusedError).status).toBe(401);
      expect((error as Error).message).toMatch(/401/);
      expect((error as Error).message).toMatch(/token/i);
      expect((error as Error).message).not.toContain("0".repeat(64));
    });

    it("a home without a token file fails clearly (401, missing token)", async () => {
      const emptyHome = tempDir("cce-empty-home-");
      try {
        const error = await connect({ url: server.wsUrl, home: emptyHome }).catch(
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(HandshakeRefusedError);
        expect((error as Error).message).toMatch(/401/);
      } finally {
        rmSync(emptyHome, { recursive: true, force: true });
      }
    });

    it("browser client: the token travels as a subprotocol, never echoed back", async () => {
      const offered: string[][] = [];
      // The browser's WebSocket(url, protocols) signature, backed by ws, recording the offer.
      class RecordingWebSocket extends WebSocket {
        constructor(url: string, protocols: string[]) {
          super(url, protocols);
          offered.push(protocols);
        }
      }
      vi.stubGlobal("WebSocket", RecordingWebSocket);
      try {
        const browserClient = await connectFromBrowser({ url: server.wsUrl, token: server.token });
        try {
          expect((await browserClient.execute("echo from-browser")).stdout).toBe("from-browser\n");
        } finally {
          browserClient.close();
        }
        expect(offered).toEqual([["cc-executor", `cc-executor.token.${server.token}`]]);
        const refused = await connectFromBrowser({
          url: server.wsUrl,
          token: "f".repeat(64),
        }).catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(HandshakeRefusedError);
      } finally {
        vi.unstubAllGlobals();
      }
    });

    it("nothing listening: fails with the address in the message", async () => {
      const closed = await startTestServer();
      const url = closed.wsUrl;
      await closed.stop();
      const error = await connect({ url, token: server.token }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectionLostError);
      expect((error as Error).message).toContain(url);
      expect((error as Error).message).toMatch(/ECONNREFUSED/);
    });
  });
});
