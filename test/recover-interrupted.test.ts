import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { MemoryStore } from "../src/store/memory-store.js";
import { INTERRUPTED_ERROR, recoverInterrupted } from "../src/store/recover-interrupted.js";
import type { JournalEntry } from "../src/store/store.js";
import {
  currentServerIdentity,
  groupMembers,
  processStartTicks,
} from "../src/supervisor/process/proc-stat.js";
import { eventually, pidAlive } from "./helpers/processes.js";
import { executionRecord, journalEntry } from "./helpers/store-fixtures.js";

const identity = currentServerIdentity();
/** A server that is gone: our pid, but a start time that is not ours. */
const deadServer = { serverPid: process.pid, serverStartTicks: "0" };

describe("recovering interrupted executions at start-up", () => {
  const children: ChildProcess[] = [];
  const strays: number[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) if (child.pid) killGroup(child.pid);
    for (const pid of strays.splice(0)) killGroup(pid);
  });

  function startGroup(script: string): ChildProcess {
    const child = spawn("/bin/sh", ["-c", script], {
      detached: true,
      stdio: ["pipe", "ignore", "ignore"],
    });
    children.push(child);
    return child;
  }

  async function storeWith(entries: JournalEntry[]): Promise<MemoryStore> {
    const store = new MemoryStore();
    for (const entry of entries) {
      await store.apply([
        { type: "journal.put", entry },
        {
          type: "execution",
          record: executionRecord({
            executionId: entry.executionId,
            status: entry.pid === null ? "queued" : "running",
            endedAtMs: null,
            durationMs: null,
          }),
        },
      ]);
    }
    return store;
  }

  const entryFor = (executionId: string, pid: number | null, startTicks: string | null) =>
    journalEntry({
      executionId,
      host: identity.host,
      bootId: identity.bootId,
      ...deadServer,
      pid,
      pgid: pid,
      startTicks,
    });

  it("kills the recorded group and marks the execution interrupted", async () => {
    const child = startGroup("exec sleep 1000");
    const pid = child.pid as number;
    const ticks = await eventuallyTicks(pid);
    const store = await storeWith([entryFor("victim", pid, ticks), entryFor("queued", null, null)]);
    const exited = once(child, "exit");
    const report = await recoverInterrupted(store, { identity, now: () => 42 });
    expect(report).toMatchObject({ killedGroups: [pid], spared: [], foreign: 0 });
    expect(report.interrupted.sort()).toEqual(["queued", "victim"]);
    expect((await exited)[1]).toBe("SIGKILL");
    expect(await store.getExecution("victim")).toMatchObject({
      status: "interrupted",
      endedAtMs: 42,
      error: INTERRUPTED_ERROR,
    });
    expect((await store.getExecution("queued"))?.status).toBe("interrupted");
    expect(await store.journal()).toEqual([]);
  });

  it("does not kill a process whose start time does not match (pid reused)", async () => {
    const child = startGroup("exec sleep 1000");
    const pid = child.pid as number;
    const ticks = await eventuallyTicks(pid);
    const other = String(BigInt(ticks) - 1n);
    const store = await storeWith([entryFor("reused", pid, other)]);
    const report = await recoverInterrupted(store, { identity });
    expect(report.killedGroups).toEqual([]);
    expect(report.spared).toEqual([
      { executionId: "reused", pgid: pid, reason: expect.stringMatching(/pid reused/) },
    ]);
    expect(pidAlive(pid)).toBe(true);
    // The execution is still over as far as history goes: it was not ours any more.
    expect((await store.getExecution("reused"))?.status).toBe("interrupted");
  });

  it("kills members left behind when the group leader is already gone", async () => {
    // The leader waits for its stdin to close, so its start time can be read first.
    const child = startGroup("sleep 1000 & read _");
    const pgid = child.pid as number;
    const ticks = await eventuallyTicks(pgid);
    const exited = once(child, "exit");
    child.stdin?.end();
    await exited;
    const [member] = groupMembers(pgid);
    expect(member).toBeDefined();
    strays.push(pgid);
    const store = await storeWith([entryFor("orphaned", pgid, ticks)]);
    const report = await recoverInterrupted(store, { identity });
    expect(report.killedGroups).toEqual([pgid]);
    expect(await eventually(() => !pidAlive(member?.pid as number))).toBe(true);
  });

  it("leaves entries of live servers and other machines alone", async () => {
    const live = journalEntry({
      executionId: "live",
      host: identity.host,
      bootId: identity.bootId,
      serverPid: identity.serverPid,
      serverStartTicks: identity.serverStartTicks,
    });
    const elsewhere = journalEntry({ executionId: "elsewhere", host: `${identity.host}-other` });
    const store = await storeWith([live, elsewhere]);
    const report = await recoverInterrupted(store, { identity });
    expect(report).toEqual({ interrupted: [], killedGroups: [], spared: [], foreign: 2 });
    expect(await store.journal()).toHaveLength(2);
    expect((await store.getExecution("live"))?.status).toBe("queued");
  });

  it("after a reboot, marks interrupted without touching pids", async () => {
    let killed = 0;
    const store = await storeWith([
      { ...entryFor("before-reboot", 1, "5"), bootId: "another-boot" },
    ]);
    const report = await recoverInterrupted(store, { identity, killGroup: () => killed++ });
    expect(report.interrupted).toEqual(["before-reboot"]);
    expect(killed).toBe(0);
  });
});

async function eventuallyTicks(pid: number): Promise<string> {
  let ticks: string | null = null;
  await eventually(() => {
    ticks = processStartTicks(pid);
    return ticks !== null;
  });
  if (ticks === null) throw new Error(`no /proc/${pid}/stat`);
  return ticks;
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, "SIGKILL");
  } catch {
    // already gone
  }
}
