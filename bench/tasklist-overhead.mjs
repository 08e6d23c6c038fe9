// Task-list overhead (DESIGN §7, issue 5): a list of 50 quick shell tasks (`true`) through
// `tasks.run`, against the same 50 commands back to back through `executeBatch` and as bare
// spawns of `sh -c true`, interleaved round by round on one server process (SQLite history on).
//
// Per-task overhead = (wall time of the list − the tasks' own run time) / 50, where a task's own
// run time is what the supervisor measured for its execution (spawn to exit and pipes closed).
// It is what durability costs: the journal written (and awaited) before and after each step,
// runs/<id>/task-N.json and .md, hooks, notifications. Target: under 5 ms.
//
//   npm run build && node bench/tasklist-overhead.mjs [--rounds N]
import { pathToFileURL } from "node:url";
import { connect } from "../dist/client/node.js";
import { bareSpawn } from "./latency.mjs";
import { median, startServerProcess } from "./util.mjs";

const TARGET_MS = 5;

export async function tasklistOverheadBench(server, { tasks = 50, rounds = 5 } = {}) {
  const client = await connect({ url: server.wsUrl, token: server.token });
  const list = {
    name: "overhead bench",
    tasks: Array.from({ length: tasks }, () => ({ command: "true" })),
  };
  const samples = { bare: [], batch: [], list: [], own: [], overhead: [] };
  // Warm-up: one of each, not counted.
  await client.executeBatch(Array(10).fill("true"));
  await client.runTaskList({ tasks: list.tasks.slice(0, 10) }, { streamOutput: false }).result;
  for (let round = 0; round < rounds; round++) {
    let started = performance.now();
    for (let i = 0; i < tasks; i++) await bareSpawn();
    samples.bare.push(performance.now() - started);

    started = performance.now();
    const batch = await client.executeBatch(Array(tasks).fill("true"));
    samples.batch.push(performance.now() - started);
    if (batch.succeeded !== tasks) throw new Error(`batch: ${batch.succeeded}/${tasks} succeeded`);

    started = performance.now();
    const summary = await client.runTaskList(list, { streamOutput: false }).result;
    const wallMs = performance.now() - started;
    if (summary.status !== "completed") throw new Error(`task list ${summary.status}`);
    const ownMs = summary.run.tasks.reduce(
      (sum, task) => sum + task.attempts.reduce((s, a) => s + (a.duration_ms ?? 0), 0),
      0,
    );
    samples.list.push(wallMs);
    samples.own.push(ownMs);
    samples.overhead.push((wallMs - ownMs) / tasks);
  }
  client.close();
  const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
  return {
    tasks,
    rounds,
    bareTotalMs: m.bare,
    batchTotalMs: m.batch,
    listTotalMs: m.list,
    listOwnMs: m.own,
    overheadPerTaskMs: m.overhead,
    overheadSamplesMs: samples.overhead,
    listVsBatchPerTaskMs: (m.list - m.batch) / tasks,
    listVsBarePerTaskMs: (m.list - m.bare) / tasks,
    targetMs: TARGET_MS,
    met: m.overhead < TARGET_MS,
  };
}

export function markdownOf(result) {
  const f = (ms) => `${ms.toFixed(1)} ms`;
  const per = (ms) => `${(ms / result.tasks).toFixed(2)} ms`;
  return [
    `| ${result.tasks} × \`true\`, median of ${result.rounds} rounds | total | per task |`,
    "| --- | --- | --- |",
    `| bare spawn (\`sh -c true\`, awaited) | ${f(result.bareTotalMs)} | ${per(result.bareTotalMs)} |`,
    `| \`executeBatch\` (SDK, one connection) | ${f(result.batchTotalMs)} | ${per(result.batchTotalMs)} |`,
    `| \`tasks.run\` (durable task list) | ${f(result.listTotalMs)} | ${per(result.listTotalMs)} |`,
    `| — of which the tasks' own run time | ${f(result.listOwnMs)} | ${per(result.listOwnMs)} |`,
    `| **task-list overhead per task** (target < ${result.targetMs} ms) | | **${result.overheadPerTaskMs.toFixed(2)} ms** |`,
    `| task list − executeBatch, per task | | ${result.listVsBatchPerTaskMs.toFixed(2)} ms |`,
    `| task list − bare spawn, per task | | ${result.listVsBarePerTaskMs.toFixed(2)} ms |`,
  ].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const roundsFlag = process.argv.indexOf("--rounds");
  const rounds = roundsFlag > 0 ? Number(process.argv[roundsFlag + 1]) : 5;
  // The same shell as the bare spawns: the comparison is of equal work.
  const server = await startServerProcess({ CC_EXECUTOR_SHELL: "sh" });
  try {
    const result = await tasklistOverheadBench(server, { rounds });
    console.log(`task-list overhead — node ${process.version}`);
    console.log(markdownOf(result));
    console.log(
      `per-round overhead per task: ${result.overheadSamplesMs.map((v) => v.toFixed(2)).join(", ")} ms`,
    );
    console.log(result.met ? "target met" : `TARGET MISSED (≥ ${TARGET_MS} ms per task)`);
    process.exitCode = result.met ? 0 : 1;
  } finally {
    await server.stop();
  }
}
