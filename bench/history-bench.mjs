// History store benchmark (issue 4), on the built code: `npm run build && node bench/history-bench.mjs`.
//  1. Fills an SQLite history with 100,000 executions and times what `history list` (limit 50,
//     newest first, with and without a status filter), `history stats`, `history show` and the
//     timeout estimator ask of it. Targets: list < 20 ms, stats < 200 ms.
//  2. Streams output through a real Supervisor with the history recorder attached and without
//     it, rounds interleaved in one run, and prints the throughput ratio (target ≥ 0.95).
// Options (env): HISTORY_ROWS (100000), STREAM_MIB (64), STREAM_ROUNDS (21).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HistoryRecorder } from "../dist/server/history/history-recorder.js";
import { commandClass } from "../dist/store/command-class.js";
import { toWireExecution, toWireStats } from "../dist/store/record-wire.js";
import { SqliteStore } from "../dist/store/sqlite/sqlite-store.js";
import { TimeoutEstimator } from "../dist/store/timeout-estimator.js";
import { WriteBatcher } from "../dist/store/write-batcher.js";
import { OutputCapture } from "../dist/supervisor/output/output-capture.js";
import { ReplayWindow } from "../dist/supervisor/output/replay-window.js";
import { Supervisor } from "../dist/supervisor/supervisor.js";

const ROWS = Number(process.env.HISTORY_ROWS ?? 100_000);
const STREAM_MIB = Number(process.env.STREAM_MIB ?? 64);
const STREAM_ROUNDS = Number(process.env.STREAM_ROUNDS ?? 21);
const STATUSES = [
  ...Array(85).fill("completed"),
  ...Array(10).fill("failed"),
  ...Array(3).fill("timed_out"),
  ...Array(2).fill("canceled"),
];

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function timeMs(runs, action) {
  for (let i = 0; i < Math.min(5, runs); i++) await action(); // warm-up
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await action();
    samples.push(performance.now() - started);
  }
  return { median: median(samples), max: Math.max(...samples) };
}

/** A deterministic pseudo-random history: 300 command shapes, a fifth of them Claude runs. */
function record(i, t0) {
  const shape = (i * 7919) % 300;
  const kind = shape % 5 === 0 ? "claude" : "command";
  const command =
    kind === "claude"
      ? `Task ${i}: summarise chapter ${shape} of the report`
      : `make target-${shape} JOBS=${i % 16}`;
  const status = STATUSES[(i * 31) % STATUSES.length];
  const createdAtMs = t0 + i * 1000;
  const durationMs = 200 + ((i * 104729) % 60_000);
  return {
    executionId: `bench-${String(i).padStart(7, "0")}`,
    kind,
    command,
    commandClass: commandClass(kind, command),
    cwd: "/srv/project",
    sessionId: `session-${i % 500}`,
    peer: "127.0.0.1:40000",
    host: "bench",
    status,
    exitCode: status === "completed" ? 0 : 1,
    signal: null,
    pid: 10_000 + (i % 50_000),
    createdAtMs,
    startedAtMs: createdAtMs + 5,
    endedAtMs: createdAtMs + 5 + durationMs,
    durationMs,
    stdoutBytes: 1000 + (i % 5000),
    stderrBytes: i % 100,
    timeoutMs: 120_000,
    timeoutSource: "request",
    idleTimeoutMs: null,
    spoolDir: null,
    claude:
      kind === "claude"
        ? {
            sessionId: `c-${i}`,
            subtype: "success",
            isError: false,
            costUsd: 0.01,
            numTurns: 3,
            usage: { output_tokens: 500 },
          }
        : null,
    detections: [],
    error: null,
    output: { encoding: "utf8", head: `build ${i} ok\n`.repeat(8), tail: "", omittedBytes: 0 },
  };
}

async function storeBench(dir) {
  const store = new SqliteStore(join(dir, "history.db"));
  const t0 = Date.now() - ROWS * 1000;
  const fillStarted = performance.now();
  for (let start = 0; start < ROWS; start += 5000) {
    const ops = [];
    for (let i = start; i < Math.min(ROWS, start + 5000); i++)
      ops.push({ type: "execution", record: record(i, t0) });
    await store.apply(ops);
  }
  const fillSeconds = (performance.now() - fillStarted) / 1000;
  const list = (query) => async () => (await store.listExecutions(query)).map(toWireExecution);
  const estimator = new TimeoutEstimator(store);
  const results = {
    rows: await store.countExecutions(),
    fillSeconds,
    list: await timeMs(200, list({ limit: 50 })),
    listFailed: await timeMs(200, list({ limit: 50, statuses: ["failed"] })),
    listFailedClaude: await timeMs(200, list({ limit: 50, statuses: ["failed"], kind: "claude" })),
    listSinceDay: await timeMs(
      200,
      list({ limit: 50, sinceMs: Date.now() - 86_400_000, statuses: ["completed"] }),
    ),
    stats: await timeMs(20, async () => toWireStats(await store.stats())),
    statsSinceDay: await timeMs(20, async () =>
      toWireStats(await store.stats({ sinceMs: Date.now() - 86_400_000 })),
    ),
    show: await timeMs(200, () =>
      store.getExecution(`bench-${String(ROWS >> 1).padStart(7, "0")}`),
    ),
    estimate: await timeMs(200, () => estimator.estimate("command", "make target-42 JOBS=3")),
  };
  return { store, results };
}

function supervisorFor(spoolRoot) {
  return new Supervisor(
    { maxConcurrent: 4, maxPerConnection: 4, maxQueue: 10, retainEnded: 4 },
    (spec) => ({
      killGraceMs: 1000,
      drainMs: 500,
      statusIntervalMs: 30_000,
      windowBytes: 8 * 1024 * 1024,
      tailFlushMs: 10,
      spool: {
        dir: join(spoolRoot, spec.id),
        capBytes: 2048 * 1024 * 1024,
        segmentBytes: 16 * 1024 * 1024,
      },
    }),
  );
}

let streamId = 0;
/** Streams STREAM_MIB of 60-byte lines through the supervisor; MiB/s and server CPU ms per MiB. */
async function streamOnce(supervisor) {
  const bytes = STREAM_MIB * 1024 * 1024;
  const cpuBefore = process.cpuUsage();
  const command = `yes 0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklm | head -c ${bytes}`;
  const started = performance.now();
  const { execution } = supervisor.submit({
    id: `stream-${process.pid}-${++streamId}`,
    kind: "command",
    command,
    spawn: { file: "/bin/sh", args: ["-c", command], cwd: "/tmp", env: { PATH: process.env.PATH } },
    timeoutMs: null,
    idleTimeoutMs: null,
    encoding: "utf8",
    killOnDisconnect: false,
    sessionId: null,
  });
  // A subscriber-like listener on both sides, so both pay for delivering chunks.
  let received = 0;
  execution.addListener({ output: (chunk) => (received += chunk.raw.length) });
  const result = await execution.done;
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  if (result.stdoutBytes !== bytes || received !== bytes)
    throw new Error(`short stream: ${received}`);
  return {
    mibPerSecond: STREAM_MIB / seconds,
    cpuMsPerMib: (cpu.user + cpu.system) / 1000 / STREAM_MIB,
    chunks: result.lastSeq,
  };
}

/**
 * Three supervisors side by side: two without history (the second is a control that shows how
 * much two identical setups differ on this machine right now) and one with the recorder on the
 * filled SQLite store. Each round runs all three in a rotating order; the verdict is the median
 * throughput with history on over the median of both sides without. Single streams on two cores
 * vary by up to 2× (how the pipe's reads fall), hence many short rounds.
 */
async function streamBench(store, dir) {
  const offA = supervisorFor(join(dir, "spool-a"));
  const offB = supervisorFor(join(dir, "spool-b"));
  const on = supervisorFor(join(dir, "spool-on"));
  const batcher = new WriteBatcher(store);
  const recorder = new HistoryRecorder(batcher);
  on.observe(recorder);
  const runs = { offA: [], offB: [], on: [] };
  const sides = [
    ["offA", offA],
    ["offB", offB],
    ["on", on],
  ];
  for (const [, supervisor] of sides) await streamOnce(supervisor); // warm-up
  for (let round = 0; round < STREAM_ROUNDS; round++) {
    for (let k = 0; k < sides.length; k++) {
      const [name, supervisor] = sides[(round + k) % sides.length];
      runs[name].push(await streamOnce(supervisor));
    }
  }
  await Promise.all(sides.map(([, supervisor]) => supervisor.shutdown()));
  await recorder.close();
  await batcher.close();
  const rate = (name) => runs[name].map((r) => r.mibPerSecond);
  const cpu = (name) => median(runs[name].map((r) => r.cpuMsPerMib));
  return {
    offA: median(rate("offA")),
    offB: median(rate("offB")),
    on: median(rate("on")),
    ratio: median(rate("on")) / median([...rate("offA"), ...rate("offB")]),
    control: median(rate("offA")) / median(rate("offB")),
    cpuOff: (cpu("offA") + cpu("offB")) / 2,
    cpuOn: cpu("on"),
    chunksPerMib: median(runs.on.map((r) => r.chunks)) / STREAM_MIB,
    rounds: STREAM_ROUNDS,
    batcher: batcher.counters,
  };
}

/**
 * What the recorder does per output chunk, alone: nanoseconds per chunk (a noise-free bound). The
 * capture is made as the server makes it: the default 8 MiB window outlives its tail.
 */
function recorderChunkCostNs() {
  const window = new ReplayWindow(8 * 1024 * 1024);
  const capture = new OutputCapture("utf8", undefined, undefined, window.guaranteedBytes);
  const chunk = {
    seq: 0,
    stream: "stdout",
    raw: Buffer.alloc(60 * 1024, 120),
    chunkIndex: 0,
    totalChunks: 1,
  };
  const n = 1_000_000;
  const started = performance.now();
  for (let i = 0; i < n; i++) capture.add(chunk);
  return ((performance.now() - started) * 1e6) / n;
}

const dir = mkdtempSync(join(tmpdir(), "cce-history-bench-"));
try {
  const { store, results } = await storeBench(dir);
  const fmt = (r) => `median ${r.median.toFixed(3)} ms (max ${r.max.toFixed(2)} ms)`;
  console.log(
    `History store (SQLite, ${results.rows} rows; filled in ${results.fillSeconds.toFixed(1)} s)`,
  );
  console.log(
    `  history list, limit 50, newest first        ${fmt(results.list)}   target < 20 ms`,
  );
  console.log(
    `  history list --status failed, limit 50      ${fmt(results.listFailed)}   target < 20 ms`,
  );
  console.log(`  history list --status failed --kind claude ${fmt(results.listFailedClaude)}`);
  console.log(`  history list --status completed --since 1d  ${fmt(results.listSinceDay)}`);
  console.log(
    `  history stats                               ${fmt(results.stats)}   target < 200 ms`,
  );
  console.log(`  history stats --since 1d                    ${fmt(results.statsSinceDay)}`);
  console.log(`  history show (one record + output)          ${fmt(results.show)}`);
  console.log(`  timeout estimate (50 latest of a class)     ${fmt(results.estimate)}`);
  const stream = await streamBench(store, dir);
  const chunkNs = recorderChunkCostNs();
  console.log(
    `Streaming through the supervisor, ${STREAM_MIB} MiB of 60-byte lines, ${stream.rounds} rounds, medians`,
  );
  console.log(
    `  history off ${stream.offA.toFixed(0)} and ${stream.offB.toFixed(0)} MiB/s, history on ${stream.on.toFixed(0)} MiB/s`,
  );
  console.log(
    `  on / off ${stream.ratio.toFixed(3)}   target ≥ 0.95   (control: off / off ${stream.control.toFixed(3)})`,
  );
  console.log(
    `  server CPU per MiB: off ${stream.cpuOff.toFixed(2)} ms, on ${stream.cpuOn.toFixed(2)} ms`,
  );
  console.log(
    `  recorder per chunk ${chunkNs.toFixed(0)} ns × ${stream.chunksPerMib.toFixed(1)} chunks/MiB = ` +
      `${((chunkNs * stream.chunksPerMib) / 1e6).toFixed(4)} ms per MiB ` +
      `(${((100 * chunkNs * stream.chunksPerMib) / 1e6 / stream.cpuOff).toFixed(3)}% of the stream's CPU)`,
  );
  console.log(`  recorder writes: ${JSON.stringify(stream.batcher)}`);
  await store.close();
  const ok =
    results.list.median < 20 &&
    results.listFailed.median < 20 &&
    results.stats.median < 200 &&
    stream.ratio >= 0.95;
  console.log(ok ? "history bench: all targets met" : "history bench: TARGET MISSED");
  process.exitCode = ok ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
