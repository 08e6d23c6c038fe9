/**
 * The soak test (issue 15, "Long runs: memory, descriptors and disk stay flat"): executions with
 * random cancel, timeout and pause through a real server process → exactly one
 * `process.completed` each with the status its fate calls for, no process left behind, and the
 * server's descriptors, resident memory and spool folders back to their idle figures afterwards.
 *
 * In the default run it is short (500 executions, well under a minute); `npm run soak` runs
 * the long one (CC_EXECUTOR_SOAK=long: 10,000 executions, minutes). CC_EXECUTOR_SOAK_SEED
 * repeats a run's random choices.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, pidsMatching, uniqueMarker } from "./helpers/processes.js";
import { RpcSocket } from "./helpers/rpc-socket.js";
import { type ServerProcess, startServerProcess } from "./helpers/server-process.js";
import { runSoak } from "./helpers/soak-load.js";

const LONG = process.env.CC_EXECUTOR_SOAK === "long";
const EXECUTIONS = Number(process.env.CC_EXECUTOR_SOAK_EXECUTIONS ?? (LONG ? 10_000 : 500));
const SEED = Number(process.env.CC_EXECUTOR_SOAK_SEED ?? Date.now() % 1_000_000);
const MB = 1024 * 1024;

describe(`soak: ${EXECUTIONS} executions, seed ${SEED}`, () => {
  let server: ServerProcess;
  const descriptors = () => readdirSync(`/proc/${server.pid}/fd`).length;
  const spoolFolders = () => readdirSync(join(server.home, "spool")).length;
  const idle = { fds: 0, rssBytes: 0 };

  beforeAll(async () => {
    server = await startServerProcess({
      CC_EXECUTOR_KILL_GRACE: "1",
      // Ended spools go after a second, so "back to idle" is no spool folder at all.
      CC_EXECUTOR_SPOOL_MAX_AGE: "1",
    });
    // Warm up (the pipe pool, SQLite, the first spool), then let it settle: that is idle.
    const socket = await RpcSocket.open(server.wsUrl, { token: server.token });
    for (let i = 0; i < 20; i++) await socket.run("echo warm-up");
    socket.close();
    await socket.whenClosed();
    expect(await eventually(() => spoolFolders() === 0, 15_000)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500)); // the pipe pool refills
    idle.fds = descriptors();
    idle.rssBytes = server.rssBytes();
  });
  afterAll(async () => {
    await server?.cleanup();
  });

  it(
    "ends every execution exactly once, as its fate says, and leaves the server as it was",
    async () => {
      const marker = uniqueMarker("soak");
      const startedAt = performance.now();
      const outcomes = await runSoak({
        wsUrl: server.wsUrl,
        token: server.token,
        executions: EXECUTIONS,
        connections: 4,
        inFlightPerConnection: 6,
        seed: SEED,
        marker,
      });
      const seconds = (performance.now() - startedAt) / 1000;
      const perFate = new Map<string, number[]>();
      for (const o of outcomes) perFate.set(o.fate, [...(perFate.get(o.fate) ?? []), o.ms]);
      console.log(
        [...perFate]
          .map(
            ([fate, ms]) => `${fate} ${(ms.reduce((a, b) => a + b, 0) / ms.length).toFixed(0)} ms`,
          )
          .join(", "),
      );
      expect(outcomes).toHaveLength(EXECUTIONS);
      const wrong = outcomes.filter((o) => o.completions !== 1 || o.status !== o.expected);
      expect(wrong.slice(0, 10), `seed ${SEED}`).toEqual([]);
      expect(pidsMatching(marker)).toEqual([]);

      // Back to idle: descriptors exactly, spool folders exactly, memory within a generous bound.
      expect(await eventually(() => spoolFolders() === 0, 15_000)).toBe(true);
      expect(await eventually(() => descriptors() <= idle.fds, 15_000)).toBe(true);
      const rssBytes = server.rssBytes();
      expect(rssBytes).toBeLessThan(Math.max(2 * idle.rssBytes, idle.rssBytes + 100 * MB));
      console.log(
        `soak: ${EXECUTIONS} executions in ${seconds.toFixed(1)} s (seed ${SEED}); ` +
          `server fds ${idle.fds} → ${descriptors()}, ` +
          `RSS ${(idle.rssBytes / MB).toFixed(0)} → ${(rssBytes / MB).toFixed(0)} MB`,
      );
    },
    LONG ? 3_600_000 : 120_000,
  );
});
