// Spawn cost after a large stream (issue 15, item 12): fork() copies the page tables of the
// server's memory, so a server that kept what a big stream made it allocate starts every later
// command more slowly. Two fresh servers of the same code; `execute("true")` round trips
// alternate between them (the machine's drift hits both alike), before and after one of them
// streamed `totalBytes` to a client, with each one's RSS (VmRSS) and anonymous memory.
// The verdict is the streamed server's p50 over the untouched one's, after the stream.
//
//   npm run build && node bench/spawn-after-stream.mjs [--quick]
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import { connect } from "../dist/client/node.js";
import { measureCcExecutor, wholeLines } from "./throughput.mjs";
import { median, startServerProcess } from "./util.mjs";

const MiB = 1024 * 1024;
export const TARGET_MS = 0.5;

/** VmRSS and anonymous memory of a process, in bytes (anonymous pages are what fork copies). */
export function memoryOf(pid) {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  const kB = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(rollup)?.[1] ?? 0);
  return { rssBytes: kB("Rss") * 1024, anonBytes: kB("Anonymous") * 1024 };
}

/**
 * CPU time of a process's main thread so far, in ms (/proc/<pid>/task/<pid>/schedstat): the
 * thread that forks. Unlike a round trip, it hardly moves when other work shares the cores.
 */
export function mainThreadCpuMs(pid) {
  const [onCpuNs] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, "utf8").split(" ");
  return Number(onCpuNs) / 1e6;
}

/**
 * `execute("true")` on each server, interleaved call by call: p50 round trip, and the server's
 * main-thread CPU per call (fork's page-table copy is CPU time of the parent).
 */
async function interleaved(servers, clients, iterations) {
  const times = clients.map(() => []);
  const cpuBefore = servers.map((s) => mainThreadCpuMs(s.pid));
  for (let i = 0; i < iterations; i++) {
    // Alternate who goes first, so neither always follows the other's child exit.
    for (let k = 0; k < clients.length; k++) {
      const index = (i + k) % clients.length;
      const started = performance.now();
      const result = await clients[index].execute("true");
      times[index].push(performance.now() - started);
      if (!result.success) throw new Error(`execute("true") failed: ${result.status}`);
    }
  }
  return servers.map((s, k) => ({
    p50Ms: median(times[k]),
    cpuMs: (mainThreadCpuMs(s.pid) - cpuBefore[k]) / iterations,
  }));
}

/**
 * @param {{ totalBytes: number, iterations: number, settleMs: number }} options
 *   settleMs: the pause after the stream before measuring again (the server trims what it
 *   kept for reuse after 5–10 s without output).
 */
export async function spawnAfterStreamBench(
  start,
  { totalBytes = 256 * MiB, iterations = 200, settleMs = 15_000 } = {},
) {
  const control = await start();
  const streamed = await start();
  const servers = [control, streamed];
  try {
    const clients = await Promise.all(
      servers.map((s) => connect({ url: s.wsUrl, token: s.token })),
    );
    await interleaved(servers, clients, 30); // warm-up: V8 compiles the execute path
    const [controlBefore, streamedBefore] = await interleaved(servers, clients, iterations);
    const memoryBefore = memoryOf(streamed.pid);
    const stream = await measureCcExecutor(streamed, wholeLines(totalBytes));
    await sleep(settleMs);
    const memoryAfter = memoryOf(streamed.pid);
    const [controlAfter, streamedAfter] = await interleaved(servers, clients, iterations);
    for (const client of clients) client.close();
    const row = (c, s, memory) => ({
      controlMs: c.p50Ms,
      streamedMs: s.p50Ms,
      controlCpuMs: c.cpuMs,
      streamedCpuMs: s.cpuMs,
      ...memory,
    });
    return {
      streamedBytes: stream.bytes,
      before: row(controlBefore, streamedBefore, memoryBefore),
      after: row(controlAfter, streamedAfter, memoryAfter),
      /** How much slower the streamed server starts `true` than an untouched one, after. */
      extraMs: streamedAfter.p50Ms - controlAfter.p50Ms,
      /** The same difference before the stream: how far two identical servers differ. */
      noiseMs: streamedBefore.p50Ms - controlBefore.p50Ms,
      /** Main-thread CPU per `execute("true")`, streamed over untouched, after and before. */
      extraCpuMs: streamedAfter.cpuMs - controlAfter.cpuMs,
      noiseCpuMs: streamedBefore.cpuMs - controlBefore.cpuMs,
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

export function describe(result) {
  const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
  const ms = (value) => `${value.toFixed(2)} ms`;
  const signed = (value) => `${value >= 0 ? "+" : ""}${ms(value)}`;
  const side = ({ streamedMs, controlMs, streamedCpuMs, controlCpuMs, rssBytes, anonBytes }) =>
    `execute("true") p50 ${ms(streamedMs)} (untouched server ${ms(controlMs)}), ` +
    `server CPU ${ms(streamedCpuMs)} (${ms(controlCpuMs)}); RSS ${mb(rssBytes)}, anonymous ${mb(anonBytes)}`;
  return [
    `before: ${side(result.before)}`,
    `after ${(result.streamedBytes / MiB).toFixed(0)} MiB: ${side(result.after)}`,
    `streamed over untouched: p50 ${signed(result.extraMs)} (before: ${signed(result.noiseMs)}), ` +
      `CPU ${signed(result.extraCpuMs)} (before: ${signed(result.noiseCpuMs)})`,
  ].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const quick = process.argv.includes("--quick");
  const result = await spawnAfterStreamBench(
    () => startServerProcess({ CC_EXECUTOR_SHELL: "sh" }),
    quick ? { totalBytes: 64 * MiB, iterations: 80, settleMs: 12_000 } : {},
  );
  console.log(describe(result));
  process.exitCode = result.extraMs <= TARGET_MS ? 0 : 1;
}
