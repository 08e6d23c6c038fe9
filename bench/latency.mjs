// Round trip of `execute("true")` on an open connection, and 50 sequential `true` executions
// through executeBatch, each side by side with a bare spawn of `sh -c true` (stdout/stderr
// piped, awaited until closed: the same work a supervisor must do). Interleaved for fairness.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { connect } from "../dist/client/node.js";
import { median, percentile } from "./util.mjs";

export async function bareSpawn() {
  const started = performance.now();
  const child = spawn("sh", ["-c", "true"], { stdio: ["ignore", "pipe", "pipe"] });
  await once(child, "close");
  return performance.now() - started;
}

export async function latencyBench(server, { iterations = 300, warmup = 30 } = {}) {
  const client = await connect({ url: server.wsUrl, token: server.token });
  const bare = [];
  const through = [];
  for (let i = 0; i < warmup; i++) {
    await bareSpawn();
    await client.execute("true");
  }
  for (let i = 0; i < iterations; i++) {
    bare.push(await bareSpawn());
    const started = performance.now();
    const result = await client.execute("true");
    through.push(performance.now() - started);
    if (!result.success) throw new Error(`execute("true") failed: ${result.status}`);
  }
  client.close();
  return {
    bareP50Ms: median(bare),
    executeP50Ms: median(through),
    bareP90Ms: percentile(bare, 90),
    executeP90Ms: percentile(through, 90),
  };
}

export async function batchBench(server, { rounds = 5, tasks = 50 } = {}) {
  const client = await connect({ url: server.wsUrl, token: server.token });
  const batchTotals = [];
  const bareTotals = [];
  const bareMedians = [];
  await client.executeBatch(Array(10).fill("true"));
  for (let round = 0; round < rounds; round++) {
    const singles = [];
    let started = performance.now();
    for (let i = 0; i < tasks; i++) singles.push(await bareSpawn());
    bareTotals.push(performance.now() - started);
    bareMedians.push(median(singles));
    started = performance.now();
    const summary = await client.executeBatch(Array(tasks).fill("true"));
    batchTotals.push(performance.now() - started);
    if (summary.succeeded !== tasks)
      throw new Error(`batch: ${summary.succeeded}/${tasks} succeeded`);
  }
  client.close();
  const bareSpawnMs = median(bareMedians);
  return {
    tasks,
    batchTotalMs: median(batchTotals),
    bareTotalMs: median(bareTotals),
    bareSpawnMs,
    goalMs: tasks * (bareSpawnMs + 1),
  };
}
