/**
 * ONE suite for every Store: in-memory, SQLite (a temp file) and Redis (the real server at
 * REDIS_URL or 127.0.0.1:6379, under a key prefix unique to each test, deleted afterwards).
 * Without Redis the Redis run is skipped loudly — or fails, with CC_EXECUTOR_REQUIRE_SERVICES=1.
 */
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MemoryStore } from "../src/store/memory-store.js";
import { RedisStore } from "../src/store/redis/redis-store.js";
import { SqliteStore } from "../src/store/sqlite/sqlite-store.js";
import type { ExecutionRecord, Store } from "../src/store/store.js";
import {
  connectionRecord,
  deleteRedisKeys,
  executionRecord,
  journalEntry,
  putAll,
  REDIS_URL,
  REQUIRE_SERVICES,
  redisReachable,
  taskRunRecord,
  taskState,
  tempDir,
} from "./helpers/store-fixtures.js";

type StoreFactory = () => Promise<{ store: Store; cleanup(): Promise<void> }>;

const T0 = 1_700_000_000_000;
const runId = `${process.pid}-${Date.now().toString(36)}`;
let redisTests = 0;

const factories: Record<string, StoreFactory> = {
  memory: async () => ({ store: new MemoryStore(), cleanup: async () => {} }),
  sqlite: async () => {
    const dir = tempDir("cce-store-");
    const store = new SqliteStore(join(dir.path, "history.db"));
    return {
      store,
      cleanup: async () => {
        await store.close();
        dir.remove();
      },
    };
  },
  redis: async () => {
    const prefix = `cce-test:${runId}:${++redisTests}:`;
    const store = await RedisStore.connect(REDIS_URL, { keyPrefix: prefix });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await deleteRedisKeys(REDIS_URL, prefix);
      },
    };
  },
};

const redisUp = await redisReachable(REDIS_URL);
if (!redisUp) {
  const message = `Redis is not reachable at ${REDIS_URL}: the Redis store conformance suite`;
  if (REQUIRE_SERVICES) {
    describe("store conformance: redis", () => {
      it("needs a Redis server (CC_EXECUTOR_REQUIRE_SERVICES=1)", () => {
        throw new Error(`${message} cannot run`);
      });
    });
  } else {
    console.warn(`\n${"!".repeat(78)}\n!!! ${message} is SKIPPED\n${"!".repeat(78)}\n`);
  }
}

for (const [name, factory] of Object.entries(factories)) {
  const suite = name === "redis" && !redisUp ? describe.skip : describe;
  suite(`store conformance: ${name}`, () => storeConformance(factory));
}

function storeConformance(factory: StoreFactory): void {
  let store: Store;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ store, cleanup } = await factory());
  });
  afterEach(async () => {
    await cleanup();
  });

  const at = (i: number, overrides: Partial<ExecutionRecord> = {}) =>
    executionRecord({ executionId: `e${i}`, createdAtMs: T0 + i * 1000, ...overrides });

  it("round-trips a full record; listings leave the output out", async () => {
    const record = executionRecord({
      kind: "claude",
      command: "Summarise the file notes.md",
      status: "failed",
      exitCode: 1,
      signal: "SIGTERM",
      timeoutMs: 30_000,
      timeoutSource: "auto",
      idleTimeoutMs: 5000,
      spoolDir: "/tmp/spool/exec-1",
      claude: {
        sessionId: "s-1",
        subtype: "success",
        isError: false,
        costUsd: 0.0123,
        numTurns: 3,
        usage: { input_tokens: 10, output_tokens: 20 },
      },
      detections: [{ type: "error.rate_limit_exceeded", atMs: T0, details: { retry_after: 30 } }],
      error: "boom",
      output: { encoding: "utf8", head: "first ✓\n", tail: "last\n", omittedBytes: 42 },
    });
    await store.apply([{ type: "execution", record }]);
    expect(await store.getExecution("exec-1")).toEqual(record);
    const [listed] = await store.listExecutions({ limit: 10 });
    const { output: _output, ...withoutOutput } = record;
    expect(listed).toEqual(withoutOutput);
    expect(listed && "output" in listed).toBe(false);
  });

  it("answers null for an unknown execution", async () => {
    expect(await store.getExecution("nope")).toBeNull();
  });

  it("finds ids by prefix, in id order", async () => {
    await putAll(store, [
      at(1, { executionId: "abc-2" }),
      at(2, { executionId: "abc-1" }),
      at(3, { executionId: "abd" }),
      at(4, { executionId: "a_c" }),
    ]);
    expect(await store.findExecutionIds("abc", 10)).toEqual(["abc-1", "abc-2"]);
    expect(await store.findExecutionIds("ab", 2)).toEqual(["abc-1", "abc-2"]);
    expect(await store.findExecutionIds("a_", 10)).toEqual(["a_c"]);
    expect(await store.findExecutionIds("zz", 10)).toEqual([]);
  });

  it("replaces a record whole: status filters follow, output goes when absent", async () => {
    const running = executionRecord({ status: "running", endedAtMs: null, durationMs: null });
    await store.apply([{ type: "execution", record: running }]);
    expect(await store.listExecutions({ limit: 10, statuses: ["running"] })).toHaveLength(1);
    const done = executionRecord({
      output: { encoding: "utf8", head: "x", tail: "", omittedBytes: 0 },
    });
    await store.apply([{ type: "execution", record: done }]);
    expect(await store.listExecutions({ limit: 10, statuses: ["running"] })).toHaveLength(0);
    expect(await store.listExecutions({ limit: 10, statuses: ["completed"] })).toHaveLength(1);
    expect((await store.getExecution("exec-1"))?.output?.head).toBe("x");
    await store.apply([{ type: "execution", record: executionRecord({ status: "failed" }) }]);
    expect((await store.getExecution("exec-1"))?.output).toBeUndefined();
    expect(await store.countExecutions()).toBe(1);
  });

  it("lists newest first with limit, offset, status, kind and since filters", async () => {
    await putAll(store, [
      at(1, { status: "completed" }),
      at(2, { status: "failed", kind: "claude" }),
      at(3, { status: "completed", kind: "claude" }),
      at(4, { status: "timed_out" }),
      at(5, { status: "running", endedAtMs: null, durationMs: null }),
    ]);
    const ids = (records: ExecutionRecord[]) => records.map((r) => r.executionId);
    expect(ids(await store.listExecutions({ limit: 10 }))).toEqual(["e5", "e4", "e3", "e2", "e1"]);
    expect(ids(await store.listExecutions({ limit: 2 }))).toEqual(["e5", "e4"]);
    expect(ids(await store.listExecutions({ limit: 2, offset: 2 }))).toEqual(["e3", "e2"]);
    expect(ids(await store.listExecutions({ limit: 10, statuses: ["completed"] }))).toEqual([
      "e3",
      "e1",
    ]);
    expect(
      ids(await store.listExecutions({ limit: 10, statuses: ["failed", "timed_out"] })),
    ).toEqual(["e4", "e2"]);
    expect(ids(await store.listExecutions({ limit: 10, kind: "claude" }))).toEqual(["e3", "e2"]);
    expect(
      ids(await store.listExecutions({ limit: 10, kind: "claude", statuses: ["completed"] })),
    ).toEqual(["e3"]);
    expect(ids(await store.listExecutions({ limit: 10, sinceMs: T0 + 3000 }))).toEqual([
      "e5",
      "e4",
      "e3",
    ]);
    expect(
      ids(await store.listExecutions({ limit: 1, offset: 1, statuses: ["completed", "failed"] })),
    ).toEqual(["e2"]);
    expect(await store.countExecutions()).toBe(5);
  });

  it("finds kind-filtered runs far behind other kinds", async () => {
    const records = Array.from({ length: 60 }, (_, i) =>
      at(i, { kind: i === 0 ? "claude" : "command" }),
    );
    await putAll(store, records);
    const found = await store.listExecutions({ limit: 5, kind: "claude", statuses: ["completed"] });
    expect(found.map((r) => r.executionId)).toEqual(["e0"]);
  });

  it("keeps the journal: put, replace, remove, oldest first", async () => {
    await store.apply([
      { type: "journal.put", entry: journalEntry({ executionId: "b", createdAtMs: T0 + 2 }) },
      { type: "journal.put", entry: journalEntry({ executionId: "a", createdAtMs: T0 + 1 }) },
    ]);
    const started = journalEntry({
      executionId: "b",
      createdAtMs: T0 + 2,
      pid: 42,
      pgid: 42,
      startTicks: "123456789012",
    });
    await store.apply([{ type: "journal.put", entry: started }]);
    expect(await store.journal()).toEqual([
      journalEntry({ executionId: "a", createdAtMs: T0 + 1 }),
      started,
    ]);
    await store.apply([{ type: "journal.remove", executionId: "a" }]);
    expect((await store.journal()).map((e) => e.executionId)).toEqual(["b"]);
    await store.apply([{ type: "journal.remove", executionId: "missing" }]);
    expect(await store.journal()).toHaveLength(1);
  });

  it("applies a batch in order: the last write of a key wins", async () => {
    await store.apply([
      { type: "execution", record: executionRecord({ status: "running" }) },
      { type: "journal.put", entry: journalEntry() },
      { type: "execution", record: executionRecord({ status: "completed" }) },
      { type: "journal.remove", executionId: "exec-1" },
    ]);
    expect((await store.getExecution("exec-1"))?.status).toBe("completed");
    expect(await store.journal()).toEqual([]);
    await store.apply([]);
  });

  it("records connections and lists them newest first", async () => {
    await store.apply([
      { type: "connection", record: connectionRecord({ sessionId: "s1", startedAtMs: T0 }) },
      { type: "connection", record: connectionRecord({ sessionId: "s2", startedAtMs: T0 + 5 }) },
    ]);
    const ended = connectionRecord({ sessionId: "s1", endedAtMs: T0 + 9, executionCount: 3 });
    await store.apply([{ type: "connection", record: ended }]);
    const listed = await store.listConnections(10);
    expect(listed.map((c) => c.sessionId)).toEqual(["s2", "s1"]);
    expect(listed[1]).toEqual(ended);
    expect(await store.listConnections(1)).toHaveLength(1);
  });

  it("gives recent durations of completed runs of one class, latest first", async () => {
    const cls = "cmd:make <n>";
    await putAll(store, [
      at(1, { commandClass: cls, durationMs: 100, endedAtMs: T0 + 10_000 }),
      at(2, { commandClass: cls, durationMs: 300, endedAtMs: T0 + 30_000 }),
      at(3, { commandClass: cls, durationMs: 200, endedAtMs: T0 + 20_000 }),
      at(4, { commandClass: cls, durationMs: 999, status: "failed" }),
      at(5, { commandClass: "cmd:other", durationMs: 5 }),
      at(6, { commandClass: cls, status: "running", durationMs: null, endedAtMs: null }),
    ]);
    expect(await store.recentDurations(cls, 10)).toEqual([300, 200, 100]);
    expect(await store.recentDurations(cls, 2)).toEqual([300, 200]);
    expect(await store.recentDurations("cmd:none", 5)).toEqual([]);
    await putAll(store, [at(2, { commandClass: cls, status: "failed", durationMs: 300 })]);
    expect(await store.recentDurations(cls, 10)).toEqual([200, 100]);
  });

  it("computes stats, optionally since a time", async () => {
    const empty = await store.stats();
    expect(empty).toMatchObject({ total: 0, durationMs: null, topClasses: [], costUsd: 0 });
    expect(empty.firstCreatedAtMs).toBeNull();
    const claude = {
      sessionId: "s",
      subtype: "success",
      isError: false,
      costUsd: 0.25,
      numTurns: 1,
      usage: null,
    };
    await putAll(store, [
      at(1, { commandClass: "cmd:a", durationMs: 100, stdoutBytes: 10, stderrBytes: 1 }),
      at(2, { commandClass: "cmd:a", durationMs: 300, stdoutBytes: 20, stderrBytes: 2 }),
      at(3, { commandClass: "cmd:a", durationMs: 1000, status: "failed" }),
      at(4, { commandClass: "claude:x", kind: "claude", durationMs: 50, claude }),
      at(5, { commandClass: "claude:x", kind: "claude", durationMs: 70, claude }),
      at(6, { commandClass: "cmd:b", status: "running", durationMs: null, endedAtMs: null }),
    ]);
    const stats = await store.stats();
    expect(stats.total).toBe(6);
    expect(stats.byStatus).toEqual({ completed: 4, failed: 1, running: 1 });
    expect(stats.byKind).toEqual({ command: 4, claude: 2 });
    expect(stats.durationMs).toMatchObject({ count: 5, p50Ms: 100, p90Ms: 1000, maxMs: 1000 });
    expect(stats.durationMs?.meanMs).toBeCloseTo(304, 6);
    expect(stats.stdoutBytes).toBe(6 * 4 + 10 + 20);
    expect(stats.stderrBytes).toBe(3);
    expect(stats.costUsd).toBeCloseTo(0.5, 9);
    expect(stats.firstCreatedAtMs).toBe(T0 + 1000);
    expect(stats.lastCreatedAtMs).toBe(T0 + 6000);
    expect(stats.topClasses).toHaveLength(3);
    expect(stats.topClasses[0]).toMatchObject({ commandClass: "cmd:a", runs: 3, completed: 2 });
    expect(stats.topClasses[0]?.meanMs).toBeCloseTo(200, 6);
    expect(stats.topClasses[0]?.maxMs).toBe(1000);
    expect(stats.topClasses[1]).toMatchObject({ commandClass: "claude:x", runs: 2, maxMs: 70 });
    expect(stats.topClasses[2]).toEqual({
      commandClass: "cmd:b",
      runs: 1,
      completed: 0,
      meanMs: null,
      maxMs: null,
    });
    const recent = await store.stats({ sinceMs: T0 + 4000, topClasses: 1 });
    expect(recent.total).toBe(3);
    expect(recent.topClasses.map((c) => c.commandClass)).toEqual(["claude:x"]);
  });

  it("round-trips a task run record whole; unknown runs are null", async () => {
    const record = taskRunRecord({
      cursor: 1,
      tasks: [
        taskState({
          status: "completed",
          attempts: [
            {
              attempt: 1,
              executionId: "exec-a",
              status: "failed",
              exitCode: 1,
              startedAtMs: T0,
              endedAtMs: T0 + 5,
              durationMs: 5,
              costUsd: 0.01,
              error: "boom",
            },
            {
              attempt: 2,
              executionId: "exec-b",
              status: "completed",
              exitCode: 0,
              startedAtMs: T0 + 10,
              endedAtMs: T0 + 20,
              durationMs: 10,
              costUsd: 0.02,
              error: null,
            },
          ],
          result: "Wrote notes.md ✓",
          resultBytes: 18,
          exitCode: 0,
          costUsd: 0.03,
          claudeSessionId: "s-1",
          rendered: "Write ✓ notes.md",
          startedAtMs: T0,
          endedAtMs: T0 + 20,
        }),
        taskState({ status: "running", startedAtMs: T0 + 21 }),
      ],
    });
    await store.apply([{ type: "taskrun", record }]);
    expect(await store.getTaskRun(record.runId)).toEqual(record);
    expect(await store.getTaskRun("nope")).toBeNull();
  });

  it("replaces a task run whole, in one write with the step's other records", async () => {
    const running = taskRunRecord({ tasks: [taskState({ status: "running" }), taskState()] });
    await store.apply([{ type: "taskrun", record: running }]);
    // Task 1 finished and the cursor moved: one record, one write, never half of it.
    const advanced = taskRunRecord({
      cursor: 1,
      updatedAtMs: T0 + 1,
      tasks: [taskState({ status: "completed", result: "done" }), taskState()],
    });
    await store.apply([
      { type: "execution", record: executionRecord({ executionId: "exec-a" }) },
      { type: "taskrun", record: advanced },
    ]);
    expect(await store.getTaskRun(advanced.runId)).toEqual(advanced);
    const finished = { ...advanced, status: "completed" as const, cursor: 2, endedAtMs: T0 + 2 };
    await store.apply([
      { type: "taskrun", record: advanced },
      { type: "taskrun", record: finished },
    ]);
    expect(await store.getTaskRun(advanced.runId)).toEqual(finished);
    expect(await store.listTaskRuns({ limit: 10, statuses: ["running"] })).toEqual([]);
    expect(await store.listTaskRuns({ limit: 10, statuses: ["completed"] })).toEqual([finished]);
  });

  it("lists task runs newest first, by status, with a limit; finds ids by prefix", async () => {
    const run = (i: number, status: "running" | "completed" | "failed" | "interrupted") =>
      taskRunRecord({ runId: `2026010${i}-run`, status, createdAtMs: T0 + i * 1000 });
    await store.apply([
      { type: "taskrun", record: run(1, "completed") },
      { type: "taskrun", record: run(2, "failed") },
      { type: "taskrun", record: run(3, "interrupted") },
      { type: "taskrun", record: run(4, "running") },
    ]);
    const ids = (records: Array<{ runId: string }>) => records.map((r) => r.runId);
    expect(ids(await store.listTaskRuns({ limit: 10 }))).toEqual([
      "20260104-run",
      "20260103-run",
      "20260102-run",
      "20260101-run",
    ]);
    expect(ids(await store.listTaskRuns({ limit: 2 }))).toEqual(["20260104-run", "20260103-run"]);
    expect(
      ids(await store.listTaskRuns({ limit: 10, statuses: ["failed", "interrupted"] })),
    ).toEqual(["20260103-run", "20260102-run"]);
    expect(await store.findTaskRunIds("2026010", 2)).toEqual(["20260101-run", "20260102-run"]);
    expect(await store.findTaskRunIds("20260103", 10)).toEqual(["20260103-run"]);
    expect(await store.findTaskRunIds("x", 10)).toEqual([]);
    // Task runs are not executions: history is unaffected.
    expect(await store.countExecutions()).toBe(0);
  });

  it("prunes ended executions by age and by count, never running ones", async () => {
    await putAll(store, [
      at(1, { commandClass: "cmd:p" }),
      at(2, { status: "running", endedAtMs: null, durationMs: null }),
      at(3, { commandClass: "cmd:p" }),
      at(4),
      at(5),
      at(6),
    ]);
    await store.apply([
      { type: "connection", record: connectionRecord({ sessionId: "old", endedAtMs: T0 + 1 }) },
      { type: "connection", record: connectionRecord({ sessionId: "open" }) },
      {
        type: "connection",
        record: connectionRecord({
          sessionId: "new",
          startedAtMs: T0 + 9000,
          endedAtMs: T0 + 9001,
        }),
      },
    ]);
    const byAge = await store.prune({ olderThanMs: T0 + 2500 });
    expect(byAge).toEqual({ executions: 1, connections: 1 });
    const left = async () => (await store.listExecutions({ limit: 10 })).map((r) => r.executionId);
    expect(await left()).toEqual(["e6", "e5", "e4", "e3", "e2"]);
    const byCount = await store.prune({ keepRows: 3 });
    expect(byCount.executions).toBe(2);
    expect(await left()).toEqual(["e6", "e5", "e2"]);
    expect(await store.countExecutions()).toBe(3);
    expect(await store.recentDurations("cmd:p", 10)).toEqual([]);
    expect(await store.getExecution("e3")).toBeNull();
    expect(await store.listExecutions({ limit: 10, statuses: ["completed"] })).toHaveLength(2);
    expect((await store.stats()).total).toBe(3);
    const connections = await store.prune({ keepRows: 1 });
    expect(connections.connections).toBe(1);
    expect((await store.listConnections(10)).map((c) => c.sessionId)).toEqual(["open"]);
  });
}
