/**
 * Spool disk is capped across all executions, not only per execution (DESIGN §11, issue 15 items
 * 7 and 9): running executions together never hold more than `spoolTotalCapBytes`, ended ones make
 * room for them, and ended ones are reclaimed by count and age as well as size. A spool stopped by
 * the total cap says so the way the per-execution cap does: a replay gets a `process.gap`.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { SettingsInput } from "../src/config/settings.js";
import { createLogger } from "../src/log/logger.js";
import { collectOutput, oneTo } from "./helpers/output-check.js";
import { eventually } from "./helpers/processes.js";
import { RpcSocket } from "./helpers/rpc-socket.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

const KiB = 1024;
const MiB = 1024 * KiB;
const LINES = 400_000; // `seq 1 400000` writes 2.7 MB
const seqText = (n: number) => `${oneTo(n).join("\n")}\n`;

/** Bytes of every file under `dir`. */
function bytesUnder(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const info = statSync(path, { throwIfNoEntry: false });
    if (!info) continue;
    total += info.isDirectory() ? bytesUnder(path) : info.size;
  }
  return total;
}

const folders = (server: TestServer) => readdirSync(join(server.home, "spool"));

let server: TestServer | null = null;
let socket: RpcSocket | null = null;
const warnings: Array<Record<string, unknown>> = [];

async function start(overrides: Partial<SettingsInput>): Promise<[TestServer, RpcSocket]> {
  warnings.length = 0;
  server = await startTestServer(
    { maxBufferBytes: 256 * KiB, spoolSegmentBytes: 256 * KiB, ...overrides },
    createLogger("warn", (line) => warnings.push(JSON.parse(line) as Record<string, unknown>)),
  );
  socket = await RpcSocket.open(server.wsUrl, { token: server.token });
  return [server, socket];
}

afterEach(async () => {
  socket?.close();
  await server?.stop();
  server = socket = null;
});

/** Starts `seq 1 LINES` that then waits; resolves once all its output is spooled. */
async function writeThenWait(server: TestServer, socket: RpcSocket): Promise<string> {
  const { execution_id: id } = await socket.result<{ execution_id: string }>("execute", {
    command: `seq 1 ${LINES}; sleep 30`,
  });
  const done = await eventually(() => socket.output(id).endsWith(`\n${LINES}\n`), 20_000);
  expect(done).toBe(true);
  await server.context.engine.get(id)?.spool?.flushed();
  return id;
}

describe("the total spool cap", () => {
  it("holds across running executions: each stops spooling at the cap, streams on, and a replay is told the gap", async () => {
    const [server, socket] = await start({ spoolTotalCapBytes: 4 * MiB });
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await writeThenWait(server, socket));
    // 3 × 2.7 MB were written; the disk holds at most the cap.
    expect(bytesUnder(join(server.home, "spool"))).toBeLessThanOrEqual(4 * MiB);
    const stopped = warnings.filter((w) => /total spool cap/.test(String(w.error)));
    expect(stopped.length).toBeGreaterThanOrEqual(1);
    expect(stopped[0]?.msg).toMatch(/^spooling stopped/);
    for (const id of ids) {
      await socket.result("control", { type: "CANCEL", execution_id: id });
      await socket.notification("process.completed", id);
      // Live subscribers missed nothing.
      expect(collectOutput(socket.messages, id).stdout.toString()).toBe(seqText(LINES));
    }
    // A replay of a stopped spool: a gap for what neither disk nor memory holds, then the rest.
    const last = ids[2] as string;
    const subscriber = await RpcSocket.open(server.wsUrl, { token: server.token });
    try {
      await subscriber.result("subscribe", { execution_id: last, after_seq: 0 });
      await subscriber.notification("process.completed", last);
      const gaps = subscriber.all("process.gap", last);
      expect(gaps.length).toBeGreaterThanOrEqual(1);
      const replayed = collectOutput(subscriber.messages, last).stdout.toString();
      expect(seqText(LINES).endsWith(replayed)).toBe(true);
      expect(replayed.length).toBeGreaterThan(0);
    } finally {
      subscriber.close();
    }
  });

  it("makes room for running executions by deleting the spools of ended ones, oldest first", async () => {
    const [server, socket] = await start({ spoolTotalCapBytes: 4 * MiB });
    const { id: ended } = await socket.run(`seq 1 ${LINES}`);
    await eventually(() => server.context.engine.get(ended)?.spool?.backlogBytes === 0);
    expect(folders(server)).toContain(ended);
    const running = await writeThenWait(server, socket);
    expect(await eventually(() => !folders(server).includes(ended))).toBe(true);
    expect(server.context.engine.get(running)?.spool?.error).toBeNull();
    expect(bytesUnder(join(server.home, "spool"))).toBeLessThanOrEqual(4 * MiB);
    await socket.result("control", { type: "CANCEL", execution_id: running });
    await socket.notification("process.completed", running);
  });
});

describe("spools of ended executions", () => {
  it("are kept at most `spoolMaxKept` at a time, the oldest deleted first", async () => {
    const [server, socket] = await start({ spoolMaxKept: 5 });
    const ids = [];
    for (let i = 0; i < 12; i++) ids.push((await socket.run(`echo run ${i}`)).id);
    expect(await eventually(() => folders(server).length <= 5)).toBe(true);
    expect(folders(server).sort()).toEqual(ids.slice(-5).sort());
  });

  it("are deleted once older than `spoolMaxAgeMs`, with no new run needed", async () => {
    const [server, socket] = await start({ spoolMaxAgeMs: 300 });
    for (let i = 0; i < 3; i++) await socket.run(`echo run ${i}`);
    expect(folders(server).length).toBeGreaterThan(0);
    expect(await eventually(() => folders(server).length === 0, 10_000)).toBe(true);
  });
});
