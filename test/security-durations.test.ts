/**
 * Durations past what a timer can hold (issue 15, item 4; DESIGN §11): Node's setTimeout keeps
 * at most 2^31−1 ms (~24.8 days) and fires at once for anything longer. `timeout: 3000000` ended
 * `sleep 2` as `timed_out` at once and `idle_timeout: 3000000` re-armed every millisecond. Every
 * duration a client, a task list or a setting can give is refused past the maximum with a message
 * naming the field and the maximum; the maximum itself still works.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSettings } from "../src/config/load-settings.js";
import { MAX_DURATION_SECONDS } from "../src/protocol/durations.js";
import { ErrorCode } from "../src/protocol/errors.js";
import { RpcSocket } from "./helpers/rpc-socket.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

const TOO_LONG_SECONDS = 3_000_000;
let server: TestServer;
let socket: RpcSocket;

beforeAll(async () => {
  server = await startTestServer();
  socket = await RpcSocket.open(server.wsUrl, { token: server.token });
  await socket.notification("connected");
});
afterAll(async () => {
  socket.close();
  await server.stop();
});

function expectRefused(
  reply: Awaited<ReturnType<RpcSocket["call"]>>,
  field: string,
  maximum = `${MAX_DURATION_SECONDS}`,
) {
  expect(reply.error?.code).toBe(ErrorCode.InvalidParams);
  expect(reply.error?.message).toContain(field);
  expect(reply.error?.message).toContain(maximum);
}

describe("durations past 2^31−1 ms", () => {
  it("the maximum is the longest whole number of seconds a timer holds", () => {
    expect(MAX_DURATION_SECONDS).toBe(2_147_483);
    expect(MAX_DURATION_SECONDS * 1000).toBeLessThanOrEqual(2 ** 31 - 1);
  });

  it("execute: a timeout past the maximum is a -32602 naming timeout, and nothing runs", async () => {
    const reply = await socket.call("execute", {
      command: "sleep 2",
      timeout: TOO_LONG_SECONDS,
    });
    expectRefused(reply, "timeout");
    expect(socket.all("process.started")).toHaveLength(0);
  });

  it("execute: an idle_timeout past the maximum is a -32602 naming idle_timeout", async () => {
    const reply = await socket.call("execute", {
      command: "sleep 2",
      idle_timeout: TOO_LONG_SECONDS,
    });
    expectRefused(reply, "idle_timeout");
  });

  it("execute: the maximum itself is a timeout that does not fire early", async () => {
    const { completed } = await socket.run("sleep 0.3; echo done", {
      timeout: MAX_DURATION_SECONDS,
      idle_timeout: MAX_DURATION_SECONDS,
    });
    expect(completed).toMatchObject({ status: "completed", exit_code: 0 });
  });

  it("claude.execute: timeout and idle_timeout past the maximum are -32602", async () => {
    expectRefused(
      await socket.call("claude.execute", { prompt: "hi", timeout: TOO_LONG_SECONDS }),
      "timeout",
    );
    expectRefused(
      await socket.call("claude.execute", { prompt: "hi", idle_timeout: TOO_LONG_SECONDS }),
      "idle_timeout",
    );
  });

  it("tasks.run: a task's or the list's duration past the maximum is refused, naming it", async () => {
    const perTask = await socket.call("tasks.run", {
      list: { tasks: [{ command: "true", timeout: "1000h" }] },
    });
    expectRefused(perTask, "timeout");
    const listDefault = await socket.call("tasks.run", {
      list: { idle_timeout: TOO_LONG_SECONDS, tasks: [{ command: "true" }] },
    });
    expectRefused(listDefault, "idle_timeout");
    expect(socket.all("task.started")).toHaveLength(0);
  });

  it("settings: a timer setting past the maximum stops the start, naming the setting", () => {
    const dir = mkdtempSync(join(tmpdir(), "cce-durations-"));
    try {
      const load = (env: NodeJS.ProcessEnv) =>
        loadSettings({ cwd: dir, env, overrides: { home: join(dir, "home") } });
      for (const [name, setting] of [
        ["CC_EXECUTOR_CLAUDE_WS_TIMEOUT", "claudeSocketTimeoutMs"],
        ["WEBSOCKET_HEARTBEAT_INTERVAL", "heartbeatIntervalMs"],
        ["CC_EXECUTOR_STATUS_INTERVAL", "statusIntervalMs"],
        ["CC_EXECUTOR_KILL_GRACE", "killGraceMs"],
        ["CC_EXECUTOR_DRAIN", "drainMs"],
        ["CC_EXECUTOR_CLAUDE_RESULT_GRACE", "claudeResultGraceMs"],
        ["CC_EXECUTOR_CLAUDE_BACKGROUND_WAIT", "claudeBackgroundWaitMs"],
        ["CC_EXECUTOR_CLAUDE_RETRY_BASE", "claudeRetryBaseMs"],
        ["CC_EXECUTOR_CLAUDE_RETRY_MAX", "claudeRetryMaxMs"],
        ["CC_EXECUTOR_CLAUDE_MAX_USAGE_WAIT", "claudeMaxUsageWaitMs"],
      ] as const) {
        expect(() => load({ [name]: String(TOO_LONG_SECONDS) }), name).toThrow(
          new RegExp(`${setting}.*2147483647`),
        );
        // The maximum itself loads.
        expect(load({ [name]: String(MAX_DURATION_SECONDS) })[setting]).toBe(
          MAX_DURATION_SECONDS * 1000,
        );
      }
      // History age is not a timer: 30 days (more than 2^31−1 ms) stays allowed.
      expect(load({ CC_EXECUTOR_HISTORY_MAX_AGE: String(60 * 24 * 3600) }).historyMaxAgeMs).toBe(
        60 * 24 * 3600 * 1000,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
