/**
 * A server killed with SIGKILL loses at most its batch in flight: on the next start the
 * executions that were running are marked `interrupted` from the journal, and a group that
 * outlived the server is killed by the recovery.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { recoverInterrupted } from "../src/store/recover-interrupted.js";
import { SqliteStore } from "../src/store/sqlite/sqlite-store.js";
import { currentServerIdentity } from "../src/supervisor/process/proc-stat.js";
import { eventually, pidAlive } from "./helpers/processes.js";
import { tempDir } from "./helpers/store-fixtures.js";

const FIXTURES = join(import.meta.dirname, "fixtures");

interface CrashReport {
  finished: string;
  guarded: { id: string; pid: number };
  survivor: { id: string; pid: number };
}

describe("restart after SIGKILL", () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  it("marks the running executions interrupted and kills the group left behind", async () => {
    const home = tempDir("cce-crash-");
    cleanups.push(home.remove);
    const dbPath = join(home.path, "history.db");
    const child = spawn(
      process.execPath,
      [
        "--import",
        join(FIXTURES, "register-ts.mjs"),
        join(FIXTURES, "history-crash-server.ts"),
        dbPath,
        join(home.path, "spool"),
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    cleanups.push(() => child.kill("SIGKILL"));
    let line = "";
    for await (const chunk of child.stdout) {
      line += chunk;
      if (line.includes("\n")) break;
    }
    const crash = JSON.parse(line) as CrashReport;
    for (const { pid } of [crash.guarded, crash.survivor]) cleanups.push(() => killGroup(pid));
    const exited = once(child, "exit");
    child.kill("SIGKILL");
    expect((await exited)[1]).toBe("SIGKILL");
    expect(pidAlive(crash.survivor.pid)).toBe(true);

    const store = new SqliteStore(dbPath);
    cleanups.push(() => void store.close());
    expect((await store.getExecution(crash.survivor.id))?.status).toBe("running");
    const report = await recoverInterrupted(store, { identity: currentServerIdentity() });
    expect(report.interrupted.sort()).toEqual([crash.guarded.id, crash.survivor.id].sort());
    expect(report.killedGroups).toContain(crash.survivor.pid);
    expect(report.spared).toEqual([]);
    // The guarded one died with the server (its guardian) or by the recovery: gone either way.
    expect(
      await eventually(() => !pidAlive(crash.survivor.pid) && !pidAlive(crash.guarded.pid)),
    ).toBe(true);
    for (const { id } of [crash.guarded, crash.survivor]) {
      expect(await store.getExecution(id)).toMatchObject({
        status: "interrupted",
        endedAtMs: expect.any(Number),
      });
    }
    expect(await store.getExecution(crash.finished)).toMatchObject({
      status: "completed",
      exitCode: 0,
      output: { head: "finished\n" },
    });
    expect(await store.journal()).toEqual([]);
  });
});

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, "SIGKILL");
  } catch {
    // gone
  }
}
