/**
 * `executions.subscribe` in queue mode (DESIGN §12): an execution run by a worker over Redis is
 * reported like a local one — created (queued), started (on the worker), ended — with the
 * worker's name in `worker_id`. A real server, one real `cc-executor worker`, the machine's
 * Redis; skips loudly without Redis unless CC_EXECUTOR_REQUIRE_SERVICES=1.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_PATH, requireBuiltCli } from "./helpers/cli-process.js";
import { RpcSocket } from "./helpers/rpc-socket.js";
import {
  deleteRedisKeysMatching,
  REDIS_URL,
  REQUIRE_SERVICES,
  redisReachable,
} from "./helpers/store-fixtures.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

const redisUp = await redisReachable(REDIS_URL);
if (!redisUp && !REQUIRE_SERVICES)
  console.warn(
    `\n*** SKIPPING test/executions-feed-queue.test.ts: no Redis at ${REDIS_URL} (CC_EXECUTOR_REQUIRE_SERVICES=1 makes this a failure) ***\n`,
  );
const describeRedis = redisUp || REQUIRE_SERVICES ? describe : describe.skip;

const prefix = `cce-test-feed-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const workerHome = mkdtempSync(join(tmpdir(), "cce-feed-worker-"));
let worker: ChildProcess | null = null;
let server: TestServer | null = null;
let socket: RpcSocket | null = null;

afterAll(async () => {
  socket?.close();
  if (worker && worker.exitCode === null && worker.signalCode === null) {
    const exited = new Promise((resolve) => worker?.once("exit", resolve));
    worker.kill("SIGTERM");
    await exited;
  }
  await server?.stop();
  rmSync(workerHome, { recursive: true, force: true });
  if (!redisUp) return;
  await deleteRedisKeysMatching(REDIS_URL, `${prefix}*`);
}, 30_000);

describeRedis("executions.changed in queue mode", () => {
  beforeAll(async () => {
    requireBuiltCli();
    server = await startTestServer({ queueUrl: REDIS_URL, queuePrefix: prefix });
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env))
      if (!/^(CC_EXECUTOR_|REDIS_URL$|ALLOWED_COMMANDS$)/.test(key)) env[key] = value;
    worker = spawn(
      process.execPath,
      [CLI_PATH, "worker", "--redis", REDIS_URL, "--prefix", prefix, "--name", "feed-w1"],
      { env: { ...env, CC_EXECUTOR_HOME: workerHome, CC_EXECUTOR_SHELL: "bash" }, stdio: "ignore" },
    );
    socket = await RpcSocket.open(server.wsUrl, { token: server.token });
  }, 30_000);

  it("reports a worker's execution: created, started on the worker, ended", async () => {
    const rpc = socket as RpcSocket;
    await rpc.result("executions.subscribe", {});
    const id = "feed-queued-1";
    await rpc.result("execute", { command: "echo from-worker", execution_id: id });
    const ended = await rpc.waitFor(
      (m) =>
        m.method === "executions.changed" &&
        (m.params as { change: string }).change === "ended" &&
        (m.params as { execution: { execution_id: string } }).execution.execution_id === id,
    );
    const changes = rpc.messages
      .filter((m) => m.method === "executions.changed")
      .map((m) => m.params as { change: string; execution: Record<string, unknown> })
      .filter((p) => p.execution.execution_id === id);
    expect(changes.map((c) => c.change)).toEqual(["created", "started", "ended"]);
    expect(changes[0]?.execution.status).toBe("queued");
    expect(changes[1]?.execution).toMatchObject({ status: "running", worker_id: "feed-w1" });
    expect((ended.params as { execution: Record<string, unknown> }).execution).toMatchObject({
      status: "completed",
      exit_code: 0,
      worker_id: "feed-w1",
    });
  }, 30_000);
});
