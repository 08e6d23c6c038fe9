/**
 * No orphans when the server dies (DESIGN §5): SIGKILLed, its guardian kills every running group;
 * SIGTERMed (or SIGINTed, as by Ctrl-C), it tells its clients, ends each execution as `interrupted`
 * and leaves nothing behind — in its history.db too, before any restart could tidy up after it.
 * The server runs as a real subprocess (`node bin/cc-executor.mjs server start`).
 */
import { readdirSync, readFileSync } from "node:fs";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { homePaths } from "../src/config/home.js";
import { sleepersWith, sleepMarker } from "./helpers/process-groups.js";
import { eventually, pidAlive, pidsMatching } from "./helpers/processes.js";
import { RpcSocket } from "./helpers/rpc-socket.js";
import { type ServerProcess, startServerProcess } from "./helpers/server-process.js";

const GONE_WITHIN_MS = 15_000;

/** Children of `parentPid` whose command line holds `text`. */
function childrenOf(parentPid: number, text: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8");
      if (ppid === parentPid && cmdline.includes(text)) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Runs `read` on a read-only connection to the history.db at `path`, closed afterwards. */
function readHistory<T>(path: string, read: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** Execution ids in the crash journal (executions a dead server would have left running). */
function journaled(db: Database.Database): string[] {
  const rows = db.prepare("SELECT execution_id FROM journal").all() as Array<{
    execution_id: string;
  }>;
  return rows.map((row) => row.execution_id);
}

describe("server death", () => {
  let server: ServerProcess | null = null;
  let socket: RpcSocket | null = null;
  const markers: string[] = [];

  afterEach(async () => {
    socket?.close();
    await server?.cleanup();
    server = null;
    socket = null;
    for (const marker of markers.splice(0)) {
      for (const pid of pidsMatching(marker)) process.kill(pid, "SIGKILL");
    }
  });

  async function start(
    env: Record<string, string> = {},
  ): Promise<{ server: ServerProcess; socket: RpcSocket; marker: string }> {
    server = await startServerProcess({ CC_EXECUTOR_KILL_GRACE: "0.3", ...env });
    socket = await RpcSocket.open(server.wsUrl, { token: server.token });
    const marker = sleepMarker();
    markers.push(marker);
    return { server, socket, marker };
  }

  it("SIGKILL of the server leaves no child or grandchild behind", async () => {
    const { server, socket, marker } = await start();
    // A leader, its background child, and a grandchild inside a background subshell.
    await socket.result("execute", { command: `(sleep ${marker} & wait) & sleep ${marker}` });
    await socket.result("execute", { command: `sleep ${marker}` });
    expect(await eventually(() => sleepersWith(marker).length === 3)).toBe(true);
    const guardians = childrenOf(server.pid, "kill -KILL");
    expect(guardians).toHaveLength(1);

    server.child.kill("SIGKILL");
    expect(await server.exited).toMatchObject({ signal: "SIGKILL" });

    expect(await eventually(() => pidsMatching(marker).length === 0, GONE_WITHIN_MS)).toBe(true);
    // The guardian itself does not linger once its work is done.
    expect(await eventually(() => !pidAlive(guardians[0] as number), GONE_WITHIN_MS)).toBe(true);
  });

  it.each(["SIGTERM", "SIGINT"] as const)(
    "%s of the server: server.shutdown, then process.completed interrupted, exit 0, no survivors",
    async (signal) => {
      const { server, socket, marker } = await start();
      const { execution_id: id } = await socket.result<{ execution_id: string }>("execute", {
        command: `(sleep ${marker} & wait) & sleep ${marker}`,
      });
      expect(await eventually(() => sleepersWith(marker).length === 2)).toBe(true);

      server.child.kill(signal);
      const shutdown = await socket.notification("server.shutdown");
      expect(shutdown.params?.reason).toContain(signal);
      const completed = await socket.notification("process.completed", id);
      expect(completed.params?.status).toBe("interrupted");
      expect(socket.messages.indexOf(shutdown)).toBeLessThan(socket.messages.indexOf(completed));
      expect(socket.all("process.completed", id)).toHaveLength(1);
      expect(await socket.whenClosed()).toBe(1001);
      expect(await server.exited).toMatchObject({ code: 0 });
      expect(await eventually(() => pidsMatching(marker).length === 0, GONE_WITHIN_MS)).toBe(true);
    },
  );

  it("SIGTERM also ends a job that ignores SIGTERM, after the grace", async () => {
    const { server, socket, marker } = await start();
    const { execution_id: id } = await socket.result<{ execution_id: string }>("execute", {
      command: `trap '' TERM; sleep ${marker}`,
    });
    expect(await eventually(() => sleepersWith(marker).length === 1)).toBe(true);
    server.child.kill("SIGTERM");
    const completed = await socket.notification("process.completed", id);
    expect(completed.params).toMatchObject({ status: "interrupted", signal: "SIGKILL" });
    expect(await server.exited).toMatchObject({ code: 0 });
    expect(await eventually(() => pidsMatching(marker).length === 0, GONE_WITHIN_MS)).toBe(true);
  });

  it("SIGTERM: before any restart, history.db has the execution interrupted, not journaled", async () => {
    // The SQLite history in the server's home, whatever this process's environment says.
    const { server, socket, marker } = await start({ REDIS_URL: "", CC_EXECUTOR_HISTORY: "on" });
    const dbPath = homePaths(server.home).historyDb;
    const { execution_id: id } = await socket.result<{ execution_id: string }>("execute", {
      command: `sleep ${marker}`,
    });
    expect(await eventually(() => sleepersWith(marker).length === 1)).toBe(true);
    // Journaled while it runs, so its absence afterwards is the stop's doing.
    expect(await eventually(() => readHistory(dbPath, journaled).includes(id))).toBe(true);

    server.child.kill("SIGTERM");
    expect(await server.exited).toMatchObject({ code: 0 });

    const { row, journal } = readHistory(dbPath, (db) => ({
      row: db
        .prepare("SELECT status, started_at_ms, ended_at_ms FROM executions WHERE execution_id = ?")
        .get(id) as { status: string; started_at_ms: number; ended_at_ms: number | null },
      journal: journaled(db),
    }));
    expect(row).toMatchObject({ status: "interrupted", ended_at_ms: expect.any(Number) });
    expect(row.ended_at_ms).toBeGreaterThanOrEqual(row.started_at_ms);
    expect(journal).not.toContain(id);
    expect(await eventually(() => pidsMatching(marker).length === 0, GONE_WITHIN_MS)).toBe(true);
  });
});
