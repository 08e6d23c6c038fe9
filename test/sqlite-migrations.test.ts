import { statSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import {
  LATEST_VERSION,
  migrate,
  SchemaTooNewError,
} from "../src/store/sqlite/sqlite-migrations.js";
import { SqliteStore } from "../src/store/sqlite/sqlite-store.js";
import { tempDir } from "./helpers/store-fixtures.js";

describe("history.db schema and migrations", () => {
  const dirs: Array<{ remove(): void }> = [];
  const dbPath = () => {
    const dir = tempDir("cce-migrate-");
    dirs.push(dir);
    return join(dir.path, "history.db");
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) dir.remove();
  });

  it("creates a new database at the latest version: WAL, busy timeout, owner-only file", async () => {
    const path = dbPath();
    const store = new SqliteStore(path, { busyTimeoutMs: 1234 });
    expect(store.db.pragma("user_version", { simple: true })).toBe(LATEST_VERSION);
    expect(store.db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(store.db.pragma("busy_timeout", { simple: true })).toBe(1234);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const indexes = store.db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'executions'")
      .pluck()
      .all();
    expect(indexes).toEqual(
      expect.arrayContaining(["executions_by_time", "executions_by_status", "executions_by_class"]),
    );
    await store.close();
  });

  it("upgrades a v1 database, keeping its rows and classing them for timeout learning", async () => {
    const path = dbPath();
    const v1 = new Database(path);
    expect(migrate(v1, 1)).toEqual({ from: 0, to: 1 });
    const insert =
      v1.prepare(`INSERT INTO executions (execution_id, kind, command, cwd, host, status,
      exit_code, created_at_ms, started_at_ms, ended_at_ms, duration_ms, stdout_bytes, timeout_ms)
      VALUES (?, 'command', ?, '/tmp', 'h', 'completed', 0, ?, ?, ?, ?, 5, ?)`);
    insert.run("old-1", "sleep 1", 1000, 1000, 2000, 1000, 30_000);
    insert.run("old-2", "sleep 2", 3000, 3000, 5000, 2000, null);
    insert.run("old-3", "sleep 3", 6000, 6000, 9000, 3000, null);
    v1.close();

    const store = new SqliteStore(path);
    expect(store.db.pragma("user_version", { simple: true })).toBe(LATEST_VERSION);
    const record = await store.getExecution("old-1");
    expect(record).toMatchObject({
      executionId: "old-1",
      command: "sleep 1",
      commandClass: "cmd:sleep <n>",
      timeoutMs: 30_000,
      timeoutSource: "request",
      claude: null,
      detections: [],
      // Rows from before workers (v4) ran on their server's machine.
      workerId: "local",
    });
    expect((await store.getExecution("old-2"))?.timeoutSource).toBe("none");
    expect(await store.recentDurations("cmd:sleep <n>", 10)).toEqual([3000, 2000, 1000]);
    await store.close();
    // Opening again is a no-op.
    const again = new SqliteStore(path);
    expect(await again.countExecutions()).toBe(3);
    await again.close();
  });

  it("refuses a database from a newer cc-executor", () => {
    const path = dbPath();
    const db = new Database(path);
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    db.close();
    expect(() => new SqliteStore(path)).toThrow(SchemaTooNewError);
  });

  it("lets a second process's handle read while the first writes (WAL)", async () => {
    const path = dbPath();
    const writer = new SqliteStore(path);
    const reader = new SqliteStore(path);
    const { executionRecord } = await import("./helpers/store-fixtures.js");
    await writer.apply([{ type: "execution", record: executionRecord() }]);
    expect(await reader.countExecutions()).toBe(1);
    await Promise.all([writer.close(), reader.close()]);
  });
});
