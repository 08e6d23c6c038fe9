/** Records and stores for the history tests: builders, and a Redis reachable check. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { commandClass } from "../../src/store/command-class.js";
import { RedisKeys } from "../../src/store/redis/redis-keys.js";
import type {
  ConnectionRecord,
  ExecutionRecord,
  JournalEntry,
  Store,
} from "../../src/store/store.js";
import type { TaskRunRecord, TaskState } from "../../src/store/task-run-record.js";
import { pendingState } from "../../src/tasks/new-run.js";

export const REDIS_URL = process.env.REDIS_URL || "redis://127.0.0.1:6379";
export const REQUIRE_SERVICES = process.env.CC_EXECUTOR_REQUIRE_SERVICES === "1";

export function executionRecord(overrides: Partial<ExecutionRecord> = {}): ExecutionRecord {
  const kind = overrides.kind ?? "command";
  const command = overrides.command ?? "echo hello";
  return {
    executionId: "exec-1",
    kind,
    command,
    commandClass: commandClass(kind, command),
    cwd: "/tmp",
    sessionId: "session-1",
    peer: "127.0.0.1:50000",
    host: "test-host",
    workerId: "local",
    status: "completed",
    exitCode: 0,
    signal: null,
    pid: 1234,
    createdAtMs: 1_700_000_000_000,
    startedAtMs: 1_700_000_000_010,
    endedAtMs: 1_700_000_001_010,
    durationMs: 1000,
    stdoutBytes: 6,
    stderrBytes: 0,
    timeoutMs: null,
    timeoutSource: "none",
    idleTimeoutMs: null,
    spoolDir: null,
    claude: null,
    detections: [],
    error: null,
    ...overrides,
  };
}

export function connectionRecord(overrides: Partial<ConnectionRecord> = {}): ConnectionRecord {
  return {
    sessionId: "session-1",
    peer: "127.0.0.1:50000",
    host: "test-host",
    startedAtMs: 1_700_000_000_000,
    endedAtMs: null,
    executionCount: 0,
    ...overrides,
  };
}

export function journalEntry(overrides: Partial<JournalEntry> = {}): JournalEntry {
  return {
    executionId: "exec-1",
    host: "test-host",
    bootId: "boot",
    serverPid: 1,
    serverStartTicks: "1",
    pid: null,
    pgid: null,
    startTicks: null,
    createdAtMs: 1_700_000_000_000,
    ...overrides,
  };
}

/** Writes records one by one (one apply each). */
export async function putAll(store: Store, records: ExecutionRecord[]): Promise<void> {
  await store.apply(records.map((record) => ({ type: "execution" as const, record })));
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** True when a Redis server answers PING at `url` within a second. */
export async function redisReachable(url: string): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on("error", () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** Deletes every key under `prefix` (a test's own keys only). */
export async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  await deleteRedisKeysMatching(url, new RedisKeys(prefix).pattern);
}

/** Deletes every key matching a SCAN `pattern` (e.g. a test's queue prefix and `*`). */
export async function deleteRedisKeysMatching(url: string, pattern: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  redis.on("error", () => {});
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

export function taskState(overrides: Partial<TaskState> = {}): TaskState {
  return { ...pendingState(), ...overrides };
}

/** A two-task run (a Claude task, then a command), both pending. */
export function taskRunRecord(overrides: Partial<TaskRunRecord> = {}): TaskRunRecord {
  const task = {
    cwd: "/tmp",
    timeoutMs: null,
    idleTimeoutMs: null,
    model: null,
    allowedTools: null,
    permissionMode: null,
    maxTurns: null,
    retries: 0,
    verifyUuid: false,
    env: null,
    continueOnFailure: false,
  };
  return {
    runId: "20260101-000000-abcd",
    name: "a list",
    status: "running",
    list: {
      name: "a list",
      description: null,
      sourcePath: "/tmp/tasks.md",
      format: "markdown",
      baseDir: "/tmp",
      continueOnFailure: false,
      retryDelayMs: 2000,
      tasks: [
        { ...task, index: 0, name: "write", kind: "prompt", text: "Write ✓ notes.md", line: 3 },
        { ...task, index: 1, name: null, kind: "command", text: "test -f notes.md", line: 7 },
      ],
    },
    tasks: [taskState(), taskState()],
    cursor: 0,
    owner: { host: "test-host", bootId: "boot", serverPid: 1, serverStartTicks: "1" },
    sessionId: "session-1",
    createdAtMs: 1_700_000_000_000,
    updatedAtMs: 1_700_000_000_000,
    endedAtMs: null,
    resumes: 0,
    error: null,
    ...overrides,
  };
}
