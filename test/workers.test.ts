/**
 * Queue mode end to end (DESIGN §12, docs/workers.md): a real server with `queueUrl`, three
 * real `cc-executor worker` processes, the machine's Redis, each test on its own queue prefix.
 * Skips loudly without Redis unless CC_EXECUTOR_REQUIRE_SERVICES=1.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CLAUDE_BIN,
  type ClaudeSandbox,
  createClaudeSandbox,
} from "./fixtures/mock-anthropic/claude-runner.js";
import { type MockAnthropic, startMockAnthropic } from "./fixtures/mock-anthropic/index.js";
import { CLI_PATH, requireBuiltCli } from "./helpers/cli-process.js";
import {
  eventually,
  eventuallyAsync,
  pidAlive,
  pidsMatching,
  uniqueMarker,
} from "./helpers/processes.js";
import { type Message, RpcSocket } from "./helpers/rpc-socket.js";
import {
  deleteRedisKeysMatching,
  REDIS_URL,
  REQUIRE_SERVICES,
  redisReachable,
} from "./helpers/store-fixtures.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

const redisUp = await redisReachable(REDIS_URL);
if (!redisUp && !REQUIRE_SERVICES) {
  console.warn(
    `\n*** SKIPPING test/workers.test.ts: no Redis at ${REDIS_URL} (CC_EXECUTOR_REQUIRE_SERVICES=1 makes this a failure) ***\n`,
  );
}
const describeRedis = redisUp || REQUIRE_SERVICES ? describe : describe.skip;

type Params = Record<string, unknown>;

const prefix = `cce-test-workers-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const workerHome = mkdtempSync(join(tmpdir(), "cce-worker-home-"));
const workers = new Map<string, ChildProcess>();
let server: TestServer;
let socket: RpcSocket;
let mock: MockAnthropic;
let sandbox: ClaudeSandbox;

function startWorker(
  name: string,
  concurrency = 4,
  options: { prefix?: string; flags?: string[] } = {},
): ChildProcess {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(CC_EXECUTOR_|REDIS_URL$|ALLOWED_COMMANDS$)/.test(key)) env[key] = value;
  }
  const child = spawn(
    process.execPath,
    [
      CLI_PATH,
      "worker",
      "--redis",
      REDIS_URL,
      "--prefix",
      options.prefix ?? prefix,
      "--concurrency",
      String(concurrency),
      "--name",
      name,
      ...(options.flags ?? []),
    ],
    {
      env: {
        ...env,
        CC_EXECUTOR_HOME: workerHome,
        CC_EXECUTOR_CLAUDE_BIN: CLAUDE_BIN,
        CC_EXECUTOR_CLAUDE_AUTH: "api-key",
        CC_EXECUTOR_SHELL: "bash",
      },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  child.stderr?.on("data", () => {});
  workers.set(name, child);
  return child;
}

async function workerIds(): Promise<string[]> {
  const status = await socket.result<{ workers: Array<{ id: string }> }>("server.status");
  return status.workers.map((w) => w.id).sort();
}

async function waitForWorkers(expected: string[]): Promise<void> {
  const deadline = Date.now() + 20_000;
  let ids: string[] = [];
  while (Date.now() < deadline) {
    ids = await workerIds();
    if (expected.every((id) => ids.includes(id))) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`workers ${expected.join(", ")} not all seen; server.status lists ${ids}`);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** Every process.output of one execution, in arrival order. */
function outputs(s: RpcSocket, id: string): Params[] {
  return s.all("process.output", id).map((m) => m.params as Params);
}

function expectContiguous(s: RpcSocket, id: string, lastSeq: number): void {
  const seqs = outputs(s, id).map((p) => p.seq);
  expect(seqs).toEqual(Array.from({ length: lastSeq }, (_, i) => i + 1));
}

async function execute(command: string, params: Params = {}): Promise<string> {
  const reply = await socket.result<{ execution_id: string; status: string }>("execute", {
    command,
    ...params,
  });
  expect(reply.status).toBe("queued");
  return reply.execution_id;
}

function completed(id: string, s: RpcSocket = socket): Promise<Params> {
  return s.notification("process.completed", id).then((m) => m.params as Params);
}

/** Every worker this file started (also of failed tests), its home, and its Redis keys go. */
afterAll(async () => {
  for (const child of workers.values()) child.kill("SIGTERM");
  await Promise.all([...workers.values()].map(exited));
  rmSync(workerHome, { recursive: true, force: true });
  if (!redisUp) return;
  await deleteRedisKeysMatching(REDIS_URL, `${prefix}*`);
}, 30_000);

describeRedis("queue mode: a server and three workers over Redis", () => {
  beforeAll(async () => {
    requireBuiltCli();
    mock = await startMockAnthropic();
    sandbox = await createClaudeSandbox();
    server = await startTestServer({
      queueUrl: REDIS_URL,
      queuePrefix: prefix,
      claudeBin: CLAUDE_BIN,
      claudeAuth: "api-key",
      maxPerConnection: 1000,
    });
    socket = await RpcSocket.open(server.wsUrl, { token: server.token });
    for (const name of ["w1", "w2", "w3"]) startWorker(name);
    await waitForWorkers(["w1", "w2", "w3"]);
  }, 30_000);

  afterAll(async () => {
    socket?.close();
    await server?.stop();
    await mock?.close();
    await sandbox?.cleanup();
  }, 30_000);

  it("lists the workers in server.status with their concurrency and heartbeat", async () => {
    const status = await socket.result<{ workers: Params[]; queue: Params; limits: Params }>(
      "server.status",
    );
    expect(status.queue).toMatchObject({ connected: true, prefix, error: null });
    const w1 = status.workers.find((w) => w.id === "w1");
    expect(w1).toMatchObject({ concurrency: 4, pid: workers.get("w1")?.pid });
    expect(Date.parse(String(w1?.last_heartbeat))).toBeGreaterThan(Date.now() - 10_000);
    expect(status.limits.max_concurrent).toBe(12);
  });

  it("runs 200 executions over the workers: output byte-exact, seq contiguous, one completion each", async () => {
    const ids: Array<{ id: string; n: number }> = [];
    for (let i = 0; i < 200; i++) {
      const n = 1 + ((i * 37) % 300);
      ids.push({ id: await execute(`seq 1 ${n}; echo "err-${i}" >&2`), n });
    }
    const results = await Promise.all(ids.map(({ id }) => completed(id)));
    const used = new Set<string>();
    for (const [i, { id, n }] of ids.entries()) {
      const done = results[i] as Params;
      expect(done).toMatchObject({ status: "completed", exit_code: 0 });
      used.add(String(done.worker_id));
      const expected = `${Array.from({ length: n }, (_, k) => k + 1).join("\n")}\n`;
      expect(socket.output(id)).toBe(expected);
      expect(socket.output(id, "stderr")).toBe(`err-${i}\n`);
      expectContiguous(socket, id, Number(done.last_seq));
      expect(socket.all("process.completed", id)).toHaveLength(1);
      const started = socket.all("process.started", id);
      expect(started).toHaveLength(1);
      expect(started[0]?.params?.worker_id).toBe(done.worker_id);
    }
    expect([...used].sort()).toEqual(["w1", "w2", "w3"]);
    // History records where each ran.
    const first = ids[0] as { id: string };
    const { execution } = await socket.result<{ execution: Params }>("history.get", {
      execution_id: first.id,
    });
    expect(execution.worker_id).toBe((results[0] as Params).worker_id);
  }, 60_000);

  it("carries a 5 MB single line whole", async () => {
    const bytes = 5 * 1024 * 1024;
    const id = await execute(`head -c ${bytes} /dev/zero | tr '\\0' 'x'`);
    const done = await completed(id);
    expect(done).toMatchObject({ status: "completed", stdout_bytes: bytes });
    const text = socket.output(id);
    expect(text.length).toBe(bytes);
    expect(/^x+$/.test(text)).toBe(true);
    expectContiguous(socket, id, Number(done.last_seq));
  }, 30_000);

  it("carries binary output (output_encoding base64) byte for byte", async () => {
    const scratch = mkdtempSync(join(tmpdir(), "cce-workers-binary-"));
    const file = join(scratch, "random");
    const id = await execute(`head -c 300000 /dev/urandom > ${file}; cat ${file}`, {
      output_encoding: "base64",
    });
    const done = await completed(id);
    expect(done).toMatchObject({ status: "completed", stdout_bytes: 300000 });
    const bytes = Buffer.concat(
      outputs(socket, id).map((p) => Buffer.from(String(p.data), "base64")),
    );
    expect(bytes.equals(readFileSync(file))).toBe(true);
    rmSync(scratch, { recursive: true, force: true });
  });

  it("pauses, resumes and cancels an execution running on a worker", async () => {
    const id = await execute("while true; do echo tick; sleep 0.05; done");
    const started = await socket.notification("process.started", id);
    const pid = Number(started.params?.pid);
    expect(started.params?.worker_id).toMatch(/^w[123]$/);
    // executions.list says where it runs too (the dashboard's worker column).
    const listed = await socket.result<{
      executions: Array<{ execution_id: string; worker_id: string }>;
    }>("executions.list", {});
    expect(listed.executions.find((e) => e.execution_id === id)?.worker_id).toBe(
      started.params?.worker_id,
    );
    expect(await socket.result("control", { type: "PAUSE", execution_id: id })).toMatchObject({
      status: "paused",
    });
    await socket.notification("process.paused", id);
    // The stop is sent before process.paused; /proc shows it a moment later.
    expect(await eventually(() => processState(pid) === "T", 5000)).toBe(true);
    const outputBeforeResume = outputs(socket, id).length;
    await socket.result("control", { type: "RESUME", execution_id: id });
    await socket.notification("process.resumed", id);
    await socket.waitFor(
      (m) =>
        m.method === "process.output" &&
        m.params?.execution_id === id &&
        outputs(socket, id).length > outputBeforeResume,
    );
    await socket.result("control", { type: "CANCEL", execution_id: id });
    const done = await completed(id);
    expect(done.status).toBe("canceled");
    expect(await eventually(() => !pidAlive(pid), 5000)).toBe(true);
  }, 30_000);

  it("cancel racing with the start: each ends canceled once, and nothing it started survives", async () => {
    const marker = uniqueMarker("race");
    const ids: string[] = [];
    // Cancel right after `execute` answers: some jobs still wait, some are being taken, some
    // have just started on a worker.
    for (let i = 0; i < 24; i++) {
      const id = await execute(`sleep 30; echo ${marker}`);
      ids.push(id);
      await socket.result("control", { type: "CANCEL", execution_id: id });
    }
    const results = await Promise.all(ids.map((id) => completed(id)));
    for (const [i, result] of results.entries()) {
      expect(result.status).toBe("canceled");
      expect(socket.all("process.completed", ids[i] as string)).toHaveLength(1);
    }
    expect(await eventually(() => pidsMatching(marker).length === 0, 5000)).toBe(true);
  }, 30_000);

  it("runs a Claude prompt on a worker (real CLI, mock API) and ends on its result", async () => {
    const reply = await socket.result<{ execution_id: string }>("claude.execute", {
      prompt: "Say hello",
      cwd: sandbox.cwd,
      env: sandbox.env(mock.url),
    });
    const done = await completed(reply.execution_id);
    expect(done).toMatchObject({ status: "completed", exit_code: 0 });
    expect(String(done.worker_id)).toMatch(/^w[123]$/);
    expect((done.claude as Params).result).toEqual(expect.any(String));
    expect((done.claude as Params).is_error).toBe(false);
  }, 60_000);

  it("runs a 10-task list strictly in order though its tasks land on different workers", async () => {
    const scratch = mkdtempSync(join(tmpdir(), "cce-workers-tasks-"));
    const log = join(scratch, "log");
    const tasks = Array.from({ length: 10 }, (_, i) => ({
      command: `echo start-${i} >> ${log}; sleep 0.05; echo end-${i} >> ${log}`,
    }));
    const run = await socket.result<{ run_id: string }>("tasks.run", {
      list: { tasks },
      base_dir: scratch,
    });
    const done = await socket.waitFor(
      (m) => m.method === "tasklist.completed" && m.params?.run_id === run.run_id,
    );
    expect(done.params).toMatchObject({ status: "completed", completed: 10 });
    const lines = readFileSync(log, "utf8").trim().split("\n");
    expect(lines).toEqual(tasks.flatMap((_, i) => [`start-${i}`, `end-${i}`]));
    const starts = socket
      .all("process.started")
      .filter((m: Message) => stepIds(run.run_id).includes(String(m.params?.execution_id)));
    const where = new Set(starts.map((m) => m.params?.worker_id));
    expect(where.size).toBeGreaterThanOrEqual(2);
    rmSync(scratch, { recursive: true, force: true });
  }, 30_000);

  it("replays to a reconnecting subscriber without gap or duplicate", async () => {
    const id = await execute("for i in $(seq 1 3000); do echo line-$i; done; sleep 0.3; echo end");
    const first = await RpcSocket.open(server.wsUrl, { token: server.token });
    await first.result("subscribe", { execution_id: id, after_seq: 0 });
    await first.waitFor((m) => m.method === "process.output" && m.params?.execution_id === id);
    first.close();
    const seen = outputs(first, id);
    const lastSeen = Number(seen[seen.length - 1]?.seq);
    const second = await RpcSocket.open(server.wsUrl, { token: server.token });
    await second.result("subscribe", { execution_id: id, after_seq: lastSeen });
    const done = await completed(id, second);
    const all = [...seen, ...outputs(second, id)];
    expect(all.map((p) => p.seq)).toEqual(
      Array.from({ length: Number(done.last_seq) }, (_, i) => i + 1),
    );
    const expected = `${Array.from({ length: 3000 }, (_, i) => `line-${i + 1}`).join("\n")}\nend\n`;
    expect(all.map((p) => p.data).join("")).toBe(expected);
    second.close();
  }, 30_000);

  it("ends an execution interrupted when its worker is SIGKILLed; its children die; others go on", async () => {
    const victim = startWorker("victim", 1);
    await waitForWorkers(["victim"]);
    const marker = uniqueMarker("victim");
    // Enough long jobs that one lands on the victim (it takes at most one at a time).
    const ids: string[] = [];
    for (let i = 0; i < 14; i++) ids.push(await execute(`sleep 20; echo ${marker}`));
    const onVictim = await socket.waitFor(
      (m) =>
        m.method === "process.started" &&
        ids.includes(String(m.params?.execution_id)) &&
        m.params?.worker_id === "victim",
    );
    const victimExecution = String(onVictim.params?.execution_id);
    const childPid = Number(onVictim.params?.pid);
    const others = ids.filter((id) => id !== victimExecution);
    victim.kill("SIGKILL");
    await exited(victim);
    workers.delete("victim");
    const killedAt = Date.now();
    const done = await completed(victimExecution);
    expect(Date.now() - killedAt).toBeLessThan(30_000);
    expect(done.status).toBe("interrupted");
    expect(String(done.error)).toContain("victim");
    expect(await eventually(() => !pidAlive(childPid), 5000)).toBe(true);
    // The others run on the live workers and are canceled cleanly.
    for (const id of others) await socket.result("control", { type: "CANCEL", execution_id: id });
    const rest = await Promise.all(others.map((id) => completed(id)));
    for (const result of rest) expect(result.status).toBe("canceled");
    expect(socket.all("process.completed", victimExecution)).toHaveLength(1);
    expect(await eventually(() => pidsMatching(marker).length === 0, 5000)).toBe(true);
  }, 45_000);

  it("skips a bad entry in the output stream or the registry and goes on serving", async () => {
    const redis = new Redis(REDIS_URL, { lazyConnect: true });
    await redis.connect();
    try {
      const beatOf = async () => {
        const st = await socket.result<{ workers: Params[] }>("server.status");
        return String(st.workers.find((w) => w.id === "w1")?.last_heartbeat);
      };
      const before = await beatOf();
      // Another client (or another version) writes what is not ours to read.
      await redis.xadd(`${prefix}:output`, "*", "t", "v", "e", "nobody", "j", "{not json");
      await redis.xadd(`${prefix}:output`, "*", "t", "x", "e", "nobody", "j", "[");
      await redis.hset(`${prefix}:workers`, "garbage", "not json", "half", "{}");
      // The registry is still read: w1's heartbeat moves on, no error is reported.
      expect(await eventuallyAsync(async () => (await beatOf()) !== before, 8000)).toBe(true);
      const status = await socket.result<{ queue: Params }>("server.status");
      expect(status.queue.error).toBeNull();
      // The stream is still read: an execution completes on a worker.
      const id = await execute("echo still-serving");
      expect(await completed(id)).toMatchObject({ status: "completed" });
      expect(socket.output(id)).toBe("still-serving\n");
    } finally {
      await redis.hdel(`${prefix}:workers`, "garbage", "half");
      redis.disconnect();
    }
  }, 20_000);
});

function stepIds(runId: string): string[] {
  return socket
    .all("task.started")
    .filter((m) => m.params?.run_id === runId)
    .map((m) => String(m.params?.execution_id));
}

function processState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
}

describeRedis("queue mode: limits, failures and a worker's SIGTERM", () => {
  const servers: TestServer[] = [];
  const sockets: RpcSocket[] = [];

  async function queueServer(overrides: Params = {}): Promise<{ s: RpcSocket; prefix: string }> {
    const ownPrefix = `${prefix}-x${servers.length}`;
    const started = await startTestServer({
      queueUrl: REDIS_URL,
      queuePrefix: ownPrefix,
      ...overrides,
    });
    servers.push(started);
    const s = await RpcSocket.open(started.wsUrl, { token: started.token });
    sockets.push(s);
    return { s, prefix: ownPrefix };
  }

  afterAll(async () => {
    for (const s of sockets) s.close();
    for (const s of servers) await s.stop();
  }, 30_000);

  it("says in server.status when its Redis cannot be reached, and refuses work with -32003", async () => {
    const { s } = await queueServer({ queueUrl: "redis://127.0.0.1:1" });
    const status = await s.result<{ queue: Params; workers: unknown[] }>("server.status");
    expect(status.queue).toMatchObject({ connected: false });
    expect(String(status.queue.error)).toMatch(/Redis is/);
    expect(status.workers).toEqual([]);
    const reply = await s.call("execute", { command: "true" });
    expect(reply.error?.code).toBe(-32003);
    expect(reply.error?.message).toMatch(/queue unavailable: Redis at redis:\/\/127.0.0.1:1/);
  });

  it("refuses past MAX_QUEUED with -32003 when no worker takes the jobs", async () => {
    const { s } = await queueServer({ maxQueue: 2 });
    for (let i = 0; i < 2; i++) {
      const reply = await s.result<{ status: string; position: number }>("execute", {
        command: "true",
      });
      expect(reply).toMatchObject({ status: "queued", position: i + 1 });
    }
    const refused = await s.call("execute", { command: "true" });
    expect(refused.error?.code).toBe(-32003);
    expect(refused.error?.message).toMatch(/queue is full/);
  });

  it("resumes a task list across a server restart in queue mode", async () => {
    const ownPrefix = `${prefix}-resume`;
    const home = mkdtempSync(join(tmpdir(), "cce-workers-resume-"));
    const scratch = mkdtempSync(join(tmpdir(), "cce-workers-resume-scratch-"));
    const worker = spawn(
      process.execPath,
      [CLI_PATH, "worker", "--redis", REDIS_URL, "--prefix", ownPrefix, "--name", "resumer"],
      { env: { ...process.env, CC_EXECUTOR_HOME: workerHome }, stdio: "ignore" },
    );
    workers.set("resumer", worker);
    const settings = { home, queueUrl: REDIS_URL, queuePrefix: ownPrefix };
    const first = await startTestServer(settings);
    const s1 = await RpcSocket.open(first.wsUrl, { token: first.token });
    const log = join(scratch, "log");
    const flag = join(scratch, "flag");
    const run = await s1.result<{ run_id: string }>("tasks.run", {
      list: {
        tasks: [
          { command: `echo one >> ${log}` },
          // Waits the first time only (the server restarts meanwhile); the second run passes.
          {
            command: `echo two >> ${log}; [ -e ${flag} ] && exit 0; touch ${flag}; echo waiting; sleep 30`,
          },
          { command: `echo three >> ${log}` },
        ],
      },
      base_dir: scratch,
    });
    await s1.waitFor((m) => m.method === "process.output" && m.params?.data === "waiting\n");
    await first.close("restart"); // interrupts task 2 on its worker; the home stays
    s1.close();
    const second = await startTestServer(settings);
    servers.push(second);
    const s2 = await RpcSocket.open(second.wsUrl, { token: second.token });
    sockets.push(s2);
    await s2.result("tasks.resume", { run_id: run.run_id });
    const done = await s2.waitFor(
      (m) => m.method === "tasklist.completed" && m.params?.run_id === run.run_id,
    );
    expect(done.params).toMatchObject({ status: "completed" });
    // Task 1 never ran again; task 2 ran again (its first run was interrupted), then task 3.
    expect(readFileSync(log, "utf8")).toBe("one\ntwo\ntwo\nthree\n");
    rmSync(scratch, { recursive: true, force: true });
  }, 60_000);

  it("refuses a second live worker of the same name, saying which is running", async () => {
    const twin = spawn(
      process.execPath,
      [CLI_PATH, "worker", "--redis", REDIS_URL, "--prefix", prefix, "--name", "w1"],
      {
        env: { ...process.env, CC_EXECUTOR_HOME: workerHome },
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    workers.set("twin", twin);
    let stderr = "";
    twin.stderr?.on("data", (chunk) => {
      stderr += chunk;
    });
    await exited(twin);
    expect(twin.exitCode).toBe(1);
    expect(stderr).toContain(`a worker named w1 is already running (pid ${workers.get("w1")?.pid}`);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("runs in the cwd the server resolved and recorded, not relative to the worker's own", async () => {
    const { s, prefix: ownPrefix } = await queueServer();
    // The worker's own working directory is elsewhere than the server's.
    const elsewhere = mkdtempSync(join(tmpdir(), "cce-worker-cwd-"));
    const child = spawn(
      process.execPath,
      [CLI_PATH, "worker", "--redis", REDIS_URL, "--prefix", ownPrefix, "--name", "cwd"],
      { env: { ...process.env, CC_EXECUTOR_HOME: workerHome }, stdio: "ignore", cwd: elsewhere },
    );
    workers.set("cwd", child);
    const { execution_id: id } = await s.result<{ execution_id: string }>("execute", {
      command: "pwd",
      cwd: "test",
    });
    const done = (await s.notification("process.completed", id)).params as Params;
    expect(done).toMatchObject({ status: "completed", worker_id: "cwd" });
    const expected = resolve("test");
    expect(s.output(id)).toBe(`${expected}\n`);
    const { execution } = await s.result<{ execution: Params }>("history.get", {
      execution_id: id,
    });
    expect(execution.cwd).toBe(expected);
    child.kill("SIGTERM");
    await exited(child);
    rmSync(elsewhere, { recursive: true, force: true });
  }, 20_000);

  it("of two workers of one name started at once, exactly one runs", async () => {
    const { s, prefix: ownPrefix } = await queueServer();
    const twins = [0, 1].map((i) => {
      const child = spawn(
        process.execPath,
        [CLI_PATH, "worker", "--redis", REDIS_URL, "--prefix", ownPrefix, "--name", "twin"],
        {
          env: { ...process.env, CC_EXECUTOR_HOME: workerHome },
          stdio: ["ignore", "ignore", "pipe"],
        },
      );
      workers.set(`twin-${i}`, child);
      let stderr = "";
      child.stderr?.on("data", (chunk) => {
        stderr += chunk;
      });
      return { child, stderr: () => stderr };
    });
    const loser = await Promise.race(
      twins.map(async (t) => {
        await exited(t.child);
        return t;
      }),
    );
    expect(loser.child.exitCode).toBe(1);
    expect(loser.stderr()).toContain("a worker named twin is already running");
    const winner = twins.find((t) => t !== loser);
    const { execution_id: id } = await s.result<{ execution_id: string }>("execute", {
      command: "echo one",
    });
    const done = (await s.notification("process.completed", id)).params as Params;
    expect(done).toMatchObject({ status: "completed", worker_id: "twin" });
    expect(winner?.child.exitCode).toBeNull();
    winner?.child.kill("SIGTERM");
    if (winner) await exited(winner.child);
  }, 20_000);

  it("cancels an execution waiting in the queue: it never starts", async () => {
    const { s } = await queueServer();
    const { execution_id: id } = await s.result<{ execution_id: string }>("execute", {
      command: "echo never",
    });
    await s.result("control", { type: "CANCEL", execution_id: id });
    const done = (await s.notification("process.completed", id)).params as Params;
    expect(done.status).toBe("canceled");
    expect(s.all("process.started", id)).toEqual([]);
    expect(s.all("process.canceled", id)).toHaveLength(1);
  });

  it.each([
    ["interrupts", [], "interrupted"],
    ["with --drain-on-sigterm lets finish", ["--drain-on-sigterm"], "completed"],
  ])(
    "a worker's SIGTERM %s its running execution and leaves no child",
    async (_what, flags, status) => {
      const { s, prefix: ownPrefix } = await queueServer();
      const child = startWorker("solo", 4, { prefix: ownPrefix, flags });
      const marker = uniqueMarker("sigterm");
      const { execution_id: id } = await s.result<{ execution_id: string }>("execute", {
        command: `sleep 1; echo ${marker}`,
      });
      const started = await s.notification("process.started", id);
      child.kill("SIGTERM");
      const done = (await s.notification("process.completed", id)).params as Params;
      expect(done.status).toBe(status);
      expect(done.worker_id).toBe("solo");
      await exited(child);
      expect(child.exitCode).toBe(0);
      expect(pidAlive(Number(started.params?.pid))).toBe(false);
      expect(pidsMatching(marker)).toEqual([]);
      if (status === "completed") expect(s.output(id)).toBe(`${marker}\n`);
    },
    20_000,
  );
});
