/**
 * Queue mode when Redis or the server fails (DESIGN §12, docs/workers.md "When something
 * fails"): a worker cut off from Redis, Redis frozen (SIGSTOP) under a fast writer, a server
 * that dies while a worker runs its job, Redis restarting without its data. Each case needs to
 * stop or freeze Redis, so the file runs its own `redis-server` on a free port (never the
 * machine's); it is killed in afterAll whatever happens. Skips loudly without redis-server
 * unless CC_EXECUTOR_REQUIRE_SERVICES=1.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_PATH, requireBuiltCli } from "./helpers/cli-process.js";
import {
  eventually,
  eventuallyAsync,
  pidAlive,
  pidsMatching,
  uniqueMarker,
} from "./helpers/processes.js";
import { RpcSocket } from "./helpers/rpc-socket.js";
import { startServerProcess } from "./helpers/server-process.js";
import { REQUIRE_SERVICES, redisReachable } from "./helpers/store-fixtures.js";
import { TcpProxy } from "./helpers/tcp-proxy.js";
import { startTestServer, type TestServer, tempDir } from "./helpers/test-server.js";

type Params = Record<string, unknown>;

const REDIS_SERVER = "/usr/bin/redis-server";
const haveRedisServer = existsSync(REDIS_SERVER);
if (!haveRedisServer && !REQUIRE_SERVICES) {
  console.warn(
    `\n*** SKIPPING test/workers-redis-failures.test.ts: no ${REDIS_SERVER} (CC_EXECUTOR_REQUIRE_SERVICES=1 makes this a failure) ***\n`,
  );
}
const describeRedis = haveRedisServer || REQUIRE_SERVICES ? describe : describe.skip;

const prefix = `cce-test-wfail-${process.pid}`;
const workerHome = mkdtempSync(join(tmpdir(), "cce-wfail-home-"));
const children = new Set<ChildProcess>();
const servers: TestServer[] = [];
const sockets: RpcSocket[] = [];
let redisPort = 0;
let redis: ChildProcess | null = null;
let redisUrl = "";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** A fresh, empty redis-server on redisPort (no persistence: a restart loses everything). */
async function startRedis(): Promise<void> {
  const child = spawn(
    REDIS_SERVER,
    ["--port", String(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  children.add(child);
  redis = child;
  const up = await eventuallyAsync(() => redisReachable(redisUrl), 10_000);
  if (!up) throw new Error(`redis-server on port ${redisPort} did not start`);
}

async function killRedis(): Promise<void> {
  const child = redis;
  if (!child) return;
  redis = null;
  child.kill("SIGKILL");
  await exited(child);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

function startWorker(
  name: string,
  url: string,
  ownPrefix: string,
  concurrency = 2,
  extraEnv: NodeJS.ProcessEnv = {},
): ChildProcess {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(CC_EXECUTOR_|REDIS_URL$|ALLOWED_COMMANDS$)/.test(key)) env[key] = value;
  }
  const child = spawn(
    process.execPath,
    [CLI_PATH, "worker", "--redis", url, "--prefix", ownPrefix, "--name", name].concat([
      "--concurrency",
      String(concurrency),
    ]),
    {
      env: { ...env, CC_EXECUTOR_HOME: workerHome, CC_EXECUTOR_SHELL: "bash", ...extraEnv },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  child.stderr?.on("data", () => {});
  children.add(child);
  return child;
}

async function queueServer(ownPrefix: string, home?: string) {
  const server = await startTestServer({
    queueUrl: redisUrl,
    queuePrefix: ownPrefix,
    ...(home ? { home } : {}),
  });
  servers.push(server);
  const s = await RpcSocket.open(server.wsUrl, { token: server.token });
  sockets.push(s);
  return s;
}

async function waitForWorker(s: RpcSocket, name: string): Promise<void> {
  const seen = await eventuallyAsync(async () => {
    const status = await s.result<{ workers: Array<{ id: string }> }>("server.status");
    return status.workers.some((w) => w.id === name);
  }, 20_000);
  if (!seen) throw new Error(`worker ${name} not seen in server.status`);
}

function completed(s: RpcSocket, id: string): Promise<Params> {
  return s.notification("process.completed", id).then((m) => m.params as Params);
}

async function execute(s: RpcSocket, command: string): Promise<string> {
  const reply = await s.result<{ execution_id: string }>("execute", { command });
  return reply.execution_id;
}

/** Bytes the process has written so far (/proc/<pid>/io). */
function writtenBytes(pid: number): number {
  if (!existsSync(`/proc/${pid}/io`)) return Number.POSITIVE_INFINITY; // it has written all
  const io = readFileSync(`/proc/${pid}/io`, "utf8");
  return Number(/^wchar: (\d+)/m.exec(io)?.[1]);
}

/**
 * Once the process has written something and its count stays put between two looks: that count
 * (null if it never did within 5 s).
 */
async function writesStandStill(pid: number): Promise<number | null> {
  let last = -1;
  const still = await eventually(
    () => {
      const now = writtenBytes(pid);
      const still = now === last && now > 0;
      last = now;
      return still;
    },
    5000,
    300,
  );
  return still ? last : null;
}

afterAll(async () => {
  for (const s of sockets) s.close();
  for (const server of servers) await server.stop().catch(() => {});
  for (const child of children) {
    child.kill("SIGCONT"); // a frozen redis-server cannot die of SIGKILL before it runs again
    child.kill("SIGKILL");
  }
  await Promise.all([...children].map(exited));
  rmSync(workerHome, { recursive: true, force: true });
}, 60_000);

describeRedis("queue mode when Redis or the server fails (own redis-server)", () => {
  beforeAll(async () => {
    requireBuiltCli();
    redisPort = await freePort();
    redisUrl = `redis://127.0.0.1:${redisPort}`;
    await startRedis();
  }, 20_000);

  it("a worker cut off from Redis interrupts its own executions: no child keeps running", async () => {
    const ownPrefix = `${prefix}-fence`;
    const s = await queueServer(ownPrefix);
    // The worker reaches Redis through a proxy the test can cut; the server reaches it directly.
    const proxy = await TcpProxy.start(redisPort);
    startWorker("fenced", `redis://127.0.0.1:${proxy.port}`, ownPrefix);
    await waitForWorker(s, "fenced");
    const marker = uniqueMarker("fenced");
    const id = await execute(s, `sleep 120; echo ${marker}`);
    const started = await s.notification("process.started", id);
    const pid = Number(started.params?.pid);
    proxy.refuseNew = true;
    proxy.dropAll();
    const done = await completed(s, id);
    expect(done).toMatchObject({ status: "interrupted", worker_id: "fenced" });
    expect(String(done.error)).toContain("stopped answering");
    // The worker stopped its child itself (its heartbeats stopped reaching Redis).
    expect(await eventually(() => !pidAlive(pid), 8000)).toBe(true);
    expect(pidsMatching(marker)).toEqual([]);
    expect(s.all("process.completed", id)).toHaveLength(1);
    // Back on Redis, the worker's own late report of that end (queued while it was cut off)
    // reaches the server and is ignored: still one completion, still `interrupted`.
    proxy.refuseNew = false;
    await waitForWorker(s, "fenced");
    const next = await execute(s, "echo reconnected");
    // Written after the late report on the same connection: once this is in, so is that.
    expect(await completed(s, next)).toMatchObject({ status: "completed", worker_id: "fenced" });
    expect(s.all("process.completed", id)).toHaveLength(1);
    const { execution } = await s.result<{ execution: Params }>("history.get", {
      execution_id: id,
    });
    expect(execution.status).toBe("interrupted");
    await proxy.close();
  }, 40_000);

  it("holds a fast child's output while Redis is frozen, then delivers it byte-exact and whole", async () => {
    const ownPrefix = `${prefix}-hold`;
    const s = await queueServer(ownPrefix);
    const worker = startWorker("holder", redisUrl, ownPrefix);
    await waitForWorker(s, "holder");
    const scratch = tempDir("cce-wfail-hold-");
    const file = join(scratch, "data");
    const go = join(scratch, "go");
    const sizeBytes = 40 * 1024 * 1024;
    const line = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-+/=!\n";
    writeFileSync(file, line.repeat(Math.ceil(sizeBytes / line.length)).slice(0, sizeBytes));
    const id = await execute(s, `while [ ! -e ${go} ]; do sleep 0.02; done; exec cat ${file}`);
    const started = await s.notification("process.started", id);
    const pid = Number(started.params?.pid);
    const rssBefore = rssBytes(Number(worker.pid));
    redis?.kill("SIGSTOP");
    try {
      writeFileSync(go, "");
      // cat writes until the worker stops reading its pipe: its count then stands still.
      const last = await writesStandStill(pid);
      expect(pidAlive(pid)).toBe(true);
      // The hold is 8 MiB in flight; some more sits in pipes and the supervisor's chunking.
      expect(last).toBeGreaterThan(8 * 1024 * 1024);
      expect(last).toBeLessThan(16 * 1024 * 1024);
      expect(rssBytes(Number(worker.pid)) - rssBefore).toBeLessThan(64 * 1024 * 1024);
    } finally {
      redis?.kill("SIGCONT");
    }
    const done = await completed(s, id);
    expect(done).toMatchObject({ status: "completed", exit_code: 0, stdout_bytes: sizeBytes });
    const seqs = s.all("process.output", id).map((m) => m.params?.seq);
    expect(seqs).toEqual(Array.from({ length: Number(done.last_seq) }, (_, i) => i + 1));
    expect(s.output(id) === readFileSync(file, "utf8")).toBe(true);
    rmSync(scratch, { recursive: true, force: true });
  }, 60_000);

  it("a worker SIGTERMed while Redis is frozen exits within a bound, its held child ended", async () => {
    const ownPrefix = `${prefix}-frozen-stop`;
    const s = await queueServer(ownPrefix);
    const worker = startWorker("frozen-stop", redisUrl, ownPrefix);
    await waitForWorker(s, "frozen-stop");
    const scratch = tempDir("cce-wfail-frozen-");
    const go = join(scratch, "go");
    const marker = uniqueMarker("frozenstop");
    const id = await execute(s, `while [ ! -e ${go} ]; do sleep 0.02; done; exec yes ${marker}`);
    const pid = Number((await s.notification("process.started", id)).params?.pid);
    redis?.kill("SIGSTOP");
    try {
      writeFileSync(go, "");
      // Its output is held (Redis takes nothing): what it has written stands still.
      expect(await writesStandStill(pid)).not.toBeNull();
      const stoppedAt = Date.now();
      worker.kill("SIGTERM");
      await exited(worker);
      // Child ended at once, then 5 s for its last writes and 2 s for BullMQ and the last beat.
      expect(Date.now() - stoppedAt).toBeLessThan(15_000);
      expect(worker.exitCode).toBe(0);
      expect(pidAlive(pid)).toBe(false);
      expect(pidsMatching(marker)).toEqual([]);
    } finally {
      redis?.kill("SIGCONT");
    }
    // The server hears no end from it and counts it interrupted when the worker stays silent.
    expect(await completed(s, id)).toMatchObject({ status: "interrupted" });
    rmSync(scratch, { recursive: true, force: true });
  }, 45_000);

  it("a server that starts after one that died interrupts the dead one's job on its worker", async () => {
    const ownPrefix = `${prefix}-orphan`;
    startWorker("orphans", redisUrl, ownPrefix);
    const dead = await startServerProcess({
      CC_EXECUTOR_QUEUE_URL: redisUrl,
      CC_EXECUTOR_QUEUE_PREFIX: ownPrefix,
    });
    const home = tempDir("cce-wfail-orphan-");
    const marker = uniqueMarker("orphan");
    let id = "";
    let pid = 0;
    try {
      const s1 = await RpcSocket.open(dead.wsUrl, { token: dead.token });
      await waitForWorker(s1, "orphans");
      id = await execute(s1, `sleep 120; echo ${marker}`);
      pid = Number((await s1.notification("process.started", id)).params?.pid);
      // History writes in batches (a SIGKILL may lose the last one): kill once it holds this run.
      const recorded = await eventuallyAsync(async () => {
        const reply = await s1.call("history.get", { execution_id: id });
        return reply.error === undefined;
      }, 10_000);
      expect(recorded).toBe(true);
      s1.close();
      dead.child.kill("SIGKILL");
      await dead.exited;
      expect(pidAlive(pid)).toBe(true); // nobody has told the worker yet
      execFileSync("cp", ["-a", `${dead.home}/.`, home]);
    } finally {
      await dead.cleanup();
    }
    const s2 = await queueServer(ownPrefix, home);
    expect(await eventually(() => !pidAlive(pid), 10_000)).toBe(true);
    expect(pidsMatching(marker)).toEqual([]);
    const { execution } = await s2.result<{ execution: Params }>("history.get", {
      execution_id: id,
    });
    expect(execution.status).toBe("interrupted");
    // The worker goes on serving the new server.
    const next = await execute(s2, "echo still-here");
    expect(await completed(s2, next)).toMatchObject({ status: "completed", worker_id: "orphans" });
    expect(s2.output(next)).toBe("still-here\n");
  }, 60_000);

  it("a server SIGKILLed and never restarted: its worker interrupts the job, then serves another", async () => {
    const ownPrefix = `${prefix}-gone`;
    // The grace shortened (test-only); the dead server's key still lives out its 10 s.
    const worker = startWorker("widowed", redisUrl, ownPrefix, 2, {
      CC_EXECUTOR_TEST_SERVER_GONE_AFTER_MS: "1000",
    });
    let log = "";
    worker.stderr?.on("data", (data: Buffer) => {
      log += data.toString();
    });
    const dead = await startServerProcess({
      CC_EXECUTOR_QUEUE_URL: redisUrl,
      CC_EXECUTOR_QUEUE_PREFIX: ownPrefix,
    });
    const marker = uniqueMarker("gone");
    let pid = 0;
    try {
      const s1 = await RpcSocket.open(dead.wsUrl, { token: dead.token });
      await waitForWorker(s1, "widowed");
      const id = await execute(s1, `sleep 120; echo ${marker}`);
      pid = Number((await s1.notification("process.started", id)).params?.pid);
      s1.close();
      dead.child.kill("SIGKILL");
      await dead.exited;
      expect(pidAlive(pid)).toBe(true); // its key has not expired yet
    } finally {
      await dead.cleanup();
    }
    // Key TTL (10 s) + grace (1 s) + a heartbeat tick (2 s), with room for a loaded machine.
    expect(await eventually(() => !pidAlive(pid), 20_000)).toBe(true);
    expect(pidsMatching(marker)).toEqual([]);
    expect(log).toMatch(
      /server \S+ is gone \(no liveness key in Redis\): interrupting its 1 executions/,
    );
    // The worker goes on serving another server on the same prefix.
    const s2 = await queueServer(ownPrefix);
    await waitForWorker(s2, "widowed");
    const next = await execute(s2, "echo after-the-widowing");
    expect(await completed(s2, next)).toMatchObject({ status: "completed", worker_id: "widowed" });
    expect(s2.output(next)).toBe("after-the-widowing\n");
  }, 60_000);

  it("Redis restarting without its data: status says so, the server serves, lost jobs fail, running ones finish, work resumes", async () => {
    const ownPrefix = `${prefix}-restart`;
    const s = await queueServer(ownPrefix);
    // Through a proxy the test holds shut after the restart until the server has read the
    // emptied registry: the worker's first beat then comes after that read, never before it.
    const proxy = await TcpProxy.start(redisPort);
    startWorker("survivor", `redis://127.0.0.1:${proxy.port}`, ownPrefix, 1);
    await waitForWorker(s, "survivor");
    const scratch = tempDir("cce-wfail-restart-");
    const flag = join(scratch, "flag");
    // Runs across the restart on the only slot; the next one waits in the queue meanwhile.
    const running = await execute(
      s,
      `echo before; while [ ! -e ${flag} ]; do sleep 0.05; done; echo after`,
    );
    await s.notification("process.started", running);
    const takenAtMs = Date.now();
    const waiting = await execute(s, "echo never");
    // Past the time after which a worker unseen in the registry counts as dead (10 s): right
    // after the restart the registry is empty until the worker beats again, and the server
    // must not take that gap for the worker's death.
    await eventually(() => Date.now() - takenAtMs > 11_000, 12_000, 200);

    proxy.refuseNew = true;
    await killRedis();
    // While it is down (kept short: a worker fences itself after 8 s without a heartbeat).
    const refused = s.call("execute", { command: "true" }); // waits 2 s for a reconnect
    const down = await eventuallyAsync(async () => {
      const status = await s.result<{ queue: Params }>("server.status");
      return status.queue.connected === false;
    }, 5000);
    expect(down).toBe(true);
    const status = await s.result<{ queue: Params }>("server.status");
    expect(String(status.queue.error)).toMatch(/Redis is (connecting|reconnecting|close|end)/);
    // It keeps serving what it has.
    const listed = await s.result<{ executions: Array<{ execution_id: string }> }>(
      "executions.list",
      {},
    );
    expect(listed.executions.map((e) => e.execution_id)).toEqual(
      expect.arrayContaining([running, waiting]),
    );
    await s.result("history.list", {});
    const refusal = await refused;
    expect(refusal.error?.code).toBe(-32003);
    expect(refusal.error?.message).toMatch(/queue unavailable/);

    await startRedis();
    const emptied = await eventuallyAsync(async () => {
      const st = await s.result<{ queue: Params; workers: unknown[] }>("server.status");
      return st.queue.connected === true && st.workers.length === 0;
    }, 5000);
    expect(emptied).toBe(true);
    proxy.refuseNew = false;
    await waitForWorker(s, "survivor");
    // The waiting job is gone with Redis's data: it ends failed instead of waiting for ever.
    const lost = await completed(s, waiting);
    expect(lost.status).toBe("failed");
    expect(String(lost.error)).toContain("no longer in the queue");
    expect(s.all("process.started", waiting)).toEqual([]);
    // The running one was not given up on: its worker beats again; it finishes and reports.
    expect(s.all("process.completed", running)).toEqual([]);
    writeFileSync(flag, "");
    const finished = await completed(s, running);
    expect(finished).toMatchObject({ status: "completed", worker_id: "survivor" });
    expect(s.output(running)).toBe("before\nafter\n");
    expect(s.all("process.completed", running)).toHaveLength(1);
    // New work runs again.
    const again = await execute(s, "echo back");
    expect(await completed(s, again)).toMatchObject({ status: "completed" });
    expect(s.output(again)).toBe("back\n");
    // Nothing is wrong any more: no stale error from the blip.
    const recovered = await s.result<{ queue: Params }>("server.status");
    expect(recovered.queue).toMatchObject({ connected: true, error: null });
    rmSync(scratch, { recursive: true, force: true });
    await proxy.close();
  }, 60_000);
});

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]) * 1024;
}
