// Queue mode (DESIGN §12, docs/workers.md) side by side with a server that spawns itself, over
// the machine's Redis (REDIS_URL, default redis://127.0.0.1:6379):
// - execute("true") p50 through one worker vs local: target ≤ local + 5 ms;
// - line-heavy stream throughput through one worker vs local: target ≥ 0.5×;
// - 300 × `sleep 0.1` on 3 workers × concurrency 4 vs 1 worker × 4: target ≤ 1/2.5 of the time;
// - control: PAUSE/RESUME sent → process.paused/resumed back, on a worker: target ≤ 100 ms.
// Exits 1 when a target is missed (or there is no Redis to measure with).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import WebSocket from "ws";
import { connect } from "../dist/client/node.js";
import { latencyBench } from "./latency.mjs";
import { measureCcExecutor, wholeLines } from "./throughput.mjs";
import { BIN, fmtMB, median, startServerProcess } from "./util.mjs";

const REDIS_URL = process.env.REDIS_URL || "redis://127.0.0.1:6379";
const quick = process.argv.includes("--quick");
const MiB = 1024 * 1024;
const streamBytes = wholeLines((quick ? 32 : 64) * MiB);
const rounds = quick ? 2 : 3;
const iterations = quick ? 100 : 300;

async function redisUp() {
  const redis = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on("error", () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

if (!(await redisUp())) {
  console.log(`workers bench: NOT RUN, no Redis at ${REDIS_URL}`);
  process.exit(1);
}

const base = { CC_EXECUTOR_SHELL: "sh", CC_EXECUTOR_MAX_PER_CONNECTION: "1000" };
let prefixes = 0;
const newPrefix = () => `cce-bench-workers-${process.pid}-${++prefixes}`;

async function queueServer(workerCount, concurrency) {
  const prefix = newPrefix();
  const server = await startServerProcess({
    ...base,
    CC_EXECUTOR_QUEUE_URL: REDIS_URL,
    CC_EXECUTOR_QUEUE_PREFIX: prefix,
  });
  const home = mkdtempSync(join(tmpdir(), "cce-bench-worker-"));
  const workers = [];
  for (let i = 0; i < workerCount; i++) {
    const child = spawn(
      BIN,
      ["worker", "--redis", REDIS_URL, "--prefix", prefix, "--concurrency", String(concurrency)],
      { env: { ...process.env, ...base, CC_EXECUTOR_HOME: home }, stdio: "ignore" },
    );
    process.once("exit", () => child.kill("SIGKILL"));
    workers.push(child);
  }
  const client = await connect({ url: server.wsUrl, token: server.token });
  for (;;) {
    const status = await client.request("server.status", {});
    if (status.workers.length === workerCount) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  client.close();
  return {
    ...server,
    async stop() {
      for (const child of workers) child.kill("SIGTERM");
      await Promise.all(
        workers.map((child) => new Promise((resolve) => child.once("exit", resolve))),
      );
      await server.stop();
      rmSync(home, { recursive: true, force: true });
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    },
  };
}

/** PAUSE → process.paused and RESUME → process.resumed round trips (ms) on one running execution. */
async function controlRoundTrips(server, count) {
  const ws = new WebSocket(server.wsUrl, { headers: { authorization: `Bearer ${server.token}` } });
  await new Promise((resolve) => ws.once("open", resolve));
  let nextId = 1;
  let waiter = null;
  ws.on("message", (data) => waiter?.(JSON.parse(data)));
  const send = (method, params, until) =>
    new Promise((resolve) => {
      waiter = (m) => {
        if (until(m)) resolve(m);
      };
      ws.send(JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }));
    });
  const reply = await send("execute", { command: "sleep 60" }, (m) => m.result);
  const id = reply.result.execution_id;
  await new Promise((resolve) => {
    waiter = (m) => m.method === "process.started" && resolve();
  });
  const times = [];
  for (let i = 0; i < count; i++) {
    for (const [type, method] of [
      ["PAUSE", "process.paused"],
      ["RESUME", "process.resumed"],
    ]) {
      const started = performance.now();
      await send("control", { type, execution_id: id }, (m) => m.method === method);
      times.push(performance.now() - started);
    }
  }
  await send(
    "control",
    { type: "CANCEL", execution_id: id },
    (m) => m.method === "process.completed",
  );
  ws.close();
  return times;
}

async function sleeps(server, count) {
  const client = await connect({ url: server.wsUrl, token: server.token });
  await client.execute("true"); // warm
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: count }, () => client.execute("sleep 0.1")),
  );
  const seconds = (performance.now() - started) / 1000;
  client.close();
  const failed = results.filter((r) => !r.success).length;
  if (failed > 0) throw new Error(`${failed} of ${count} sleeps failed`);
  return seconds;
}

const local = await startServerProcess(base);
const queued = await queueServer(1, 4);
let ok = true;
try {
  const localLatency = await latencyBench(local, { iterations });
  const queuedLatency = await latencyBench(queued, { iterations });
  const extraMs = queuedLatency.executeP50Ms - localLatency.executeP50Ms;
  console.log(
    `execute("true") p50: local ${localLatency.executeP50Ms.toFixed(2)} ms, through one worker ${queuedLatency.executeP50Ms.toFixed(2)} ms (${extraMs >= 0 ? "+" : ""}${extraMs.toFixed(2)} ms; target ≤ +5 ms)`,
  );
  ok &&= extraMs <= 5;

  const rates = { local: [], queued: [] };
  await measureCcExecutor(local, 4 * MiB);
  await measureCcExecutor(queued, 4 * MiB);
  for (let round = 0; round < rounds; round++) {
    for (const [name, server] of [
      ["local", local],
      ["queued", queued],
    ]) {
      const run = await measureCcExecutor(server, streamBytes);
      if (run.bytes !== streamBytes)
        throw new Error(`${name} delivered ${run.bytes} of ${streamBytes}`);
      rates[name].push(run.bytes / run.seconds);
    }
  }
  const ratio = median(rates.queued) / median(rates.local);
  console.log(
    `line-heavy stream (${(streamBytes / MiB) | 0} MiB): local ${fmtMB(median(rates.local))}, through one worker ${fmtMB(median(rates.queued))} (${ratio.toFixed(2)}×; target ≥ 0.5×)`,
  );
  ok &&= ratio >= 0.5;

  const control = await controlRoundTrips(queued, quick ? 20 : 50);
  const controlP50 = median(control);
  const controlMax = Math.max(...control);
  console.log(
    `control on a worker (PAUSE/RESUME → process.paused/resumed): p50 ${controlP50.toFixed(2)} ms, max ${controlMax.toFixed(2)} ms (target ≤ 100 ms)`,
  );
  ok &&= controlMax <= 100;
} finally {
  await local.stop();
  await queued.stop();
}

const one = await queueServer(1, 4);
const oneSeconds = await sleeps(one, 300).finally(() => one.stop());
const three = await queueServer(3, 4);
const threeSeconds = await sleeps(three, 300).finally(() => three.stop());
const speedup = oneSeconds / threeSeconds;
console.log(
  `300 × sleep 0.1: 1 worker × 4 ${oneSeconds.toFixed(2)} s, 3 workers × 4 ${threeSeconds.toFixed(2)} s (${speedup.toFixed(2)}× faster; target ≥ 2.5×)`,
);
ok &&= speedup >= 2.5;
process.exit(ok ? 0 : 1);
