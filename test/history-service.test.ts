import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { silentLogger } from "../src/log/logger.js";
import { HistoryRecorder } from "../src/server/history/history-recorder.js";
import { startHistory } from "../src/store/history-service.js";
import { SqliteStore } from "../src/store/sqlite/sqlite-store.js";
import { currentServerIdentity } from "../src/supervisor/process/proc-stat.js";
import { Supervisor } from "../src/supervisor/supervisor.js";
import { shellSpec } from "./helpers/recorded-supervisor.js";
import { executionRecord, journalEntry, tempDir } from "./helpers/store-fixtures.js";

describe("history service (what the composition root starts)", () => {
  it("recovers, records on a supervisor, and writes everything out on close", async () => {
    const home = tempDir("cce-history-home-");
    try {
      // A previous server died with one execution running.
      const previous = new SqliteStore(join(home.path, "history.db"));
      const me = currentServerIdentity();
      await previous.apply([
        {
          type: "execution",
          record: executionRecord({
            executionId: "left",
            status: "running",
            endedAtMs: null,
            createdAtMs: Date.now(),
          }),
        },
        {
          type: "journal.put",
          entry: journalEntry({
            executionId: "left",
            host: me.host,
            bootId: me.bootId,
            serverStartTicks: "0",
          }),
        },
      ]);
      await previous.close();

      const history = await startHistory(
        { home: home.path, redisUrl: null },
        { logger: silentLogger },
      );
      expect(history.store.kind).toBe("sqlite");
      expect(history.recovery.interrupted).toEqual(["left"]);
      const supervisor = new Supervisor(
        { maxConcurrent: 2, maxPerConnection: 2, maxQueue: 2, retainEnded: 2 },
        () => ({
          killGraceMs: 500,
          drainMs: 100,
          statusIntervalMs: 30_000,
          windowBytes: 1 << 20,
          tailFlushMs: 10,
          spool: null,
        }),
      );
      const recorder = new HistoryRecorder(history.batcher, { identity: history.identity });
      supervisor.observe(recorder);
      const spec = shellSpec("echo recorded");
      await supervisor.submit(spec).execution.done;
      await supervisor.shutdown();
      await recorder.close();
      await history.close();

      const reopened = new SqliteStore(join(home.path, "history.db"));
      expect((await reopened.getExecution("left"))?.status).toBe("interrupted");
      expect(await reopened.getExecution(spec.id)).toMatchObject({
        status: "completed",
        output: { head: "recorded\n" },
      });
      expect(await reopened.journal()).toEqual([]);
      await reopened.close();
    } finally {
      home.remove();
    }
  });
});
