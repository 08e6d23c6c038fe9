import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ErrorCode } from "../src/protocol/errors.js";
import { HistoryGetParams, HistoryListParams } from "../src/protocol/history.js";
import type { CallContext } from "../src/server/method-table.js";
import { historyGet, historyList } from "../src/server/methods/history.js";
import type { ServerContext } from "../src/server/server-context.js";
import { toRpcError } from "../src/server/wire/rpc-errors.js";
import { MemoryStore } from "../src/store/memory-store.js";
import { readRecordedOutput } from "../src/store/recorded-output.js";
import { Spool } from "../src/supervisor/spool/spool.js";
import { executionRecord, putAll, tempDir } from "./helpers/store-fixtures.js";

const T0 = Date.parse("2026-01-01T00:00:00Z");

describe("history.list and history.get", () => {
  let store: MemoryStore;
  let flushes: number;
  let dir: { path: string; remove(): void };
  const call = () =>
    ({
      server: {
        history: { store },
        recorder: { flush: async () => flushes++ },
        engine: { get: () => undefined },
      } as unknown as ServerContext,
    }) as CallContext;
  // Handlers throw domain errors; the dispatch maps them to JSON-RPC errors as here.
  const asOnTheWire = <T>(reply: T | Promise<T>): Promise<T> =>
    Promise.resolve(reply).catch((error: unknown) => {
      throw toRpcError(error) ?? error;
    });
  const list = (params: unknown) =>
    asOnTheWire(historyList.handle(HistoryListParams.parse(params), call()));
  const get = (params: unknown) =>
    asOnTheWire(historyGet.handle(HistoryGetParams.parse(params), call()));

  beforeEach(async () => {
    store = new MemoryStore();
    flushes = 0;
    dir = tempDir("cce-history-rpc-");
    await putAll(store, [
      executionRecord({ executionId: "a", createdAtMs: T0, status: "completed" }),
      executionRecord({
        executionId: "b",
        createdAtMs: T0 + 60_000,
        status: "failed",
        kind: "claude",
      }),
      executionRecord({
        executionId: "c",
        createdAtMs: T0 + 120_000,
        status: "completed",
        output: {
          encoding: "utf8",
          head: "stored head\n",
          tail: "stored tail\n",
          omittedBytes: 99,
        },
      }),
    ]);
  });
  afterEach(() => dir.remove());

  it("lists newest first in the wire format, after flushing pending writes", async () => {
    const result = await list(undefined);
    expect(flushes).toBe(1);
    expect(result.count).toBe(3);
    expect(result.executions.map((e) => e.execution_id)).toEqual(["c", "b", "a"]);
    expect(result.executions[2]).toMatchObject({
      status: "completed",
      created_at: "2026-01-01T00:00:00.000Z",
      duration_ms: 1000,
      execution_time: 1,
      timeout_seconds: null,
      command_class: "cmd:echo hello",
    });
    expect(result.executions[0]).not.toHaveProperty("output");
    // The key order is part of what `--json` and export print; keep it stable.
    expect(Object.keys(result.executions[2] as object)).toEqual([
      "execution_id",
      "kind",
      "command",
      "command_class",
      "cwd",
      "session_id",
      "peer",
      "host",
      "worker_id",
      "status",
      "exit_code",
      "signal",
      "pid",
      "created_at",
      "started_at",
      "ended_at",
      "duration_ms",
      "execution_time",
      "stdout_bytes",
      "stderr_bytes",
      "timeout_seconds",
      "timeout_source",
      "idle_timeout_seconds",
      "spool_dir",
      "claude",
      "detections",
      "error",
    ]);
  });

  it("filters by status, kind and since (ISO or epoch seconds)", async () => {
    const ids = async (params: unknown) =>
      ((await list(params)) as { executions: Array<{ execution_id: string }> }).executions.map(
        (e) => e.execution_id,
      );
    expect(await ids({ status: "completed" })).toEqual(["c", "a"]);
    expect(await ids({ status: ["failed", "timed_out"] })).toEqual(["b"]);
    expect(await ids({ kind: "claude" })).toEqual(["b"]);
    expect(await ids({ since: "2026-01-01T00:01:00Z" })).toEqual(["c", "b"]);
    expect(await ids({ since: (T0 + 120_000) / 1000 })).toEqual(["c"]);
    expect(await ids({ limit: 1, offset: 1 })).toEqual(["b"]);
    await expect(list({ since: "last tuesday" })).rejects.toMatchObject({
      code: ErrorCode.InvalidParams,
    });
    expect(HistoryListParams.safeParse({ status: "nope" }).success).toBe(false);
  });

  it("gets one execution with the head and tail the store kept when no spool is left", async () => {
    const result = await get({ execution_id: "c" });
    expect(result).toMatchObject({
      execution: { execution_id: "c", status: "completed" },
      output: { source: "stored", head: "stored head\n", tail: "stored tail\n", omitted_bytes: 99 },
    });
    expect((result as { execution: object }).execution).not.toHaveProperty("output");
  });

  it("reads the output from the spool files while they exist", async () => {
    const spoolDir = join(dir.path, "spool-d");
    const spool = new Spool({ dir: spoolDir, capBytes: 1 << 30, segmentBytes: 64 });
    const lines = Array.from({ length: 20 }, (_, i) => `line ${i}\n`);
    for (const [i, line] of lines.entries()) {
      spool.append({
        seq: i + 1,
        stream: i % 2 ? "stderr" : "stdout",
        raw: Buffer.from(line),
        chunkIndex: 0,
        totalChunks: 1,
      });
    }
    await spool.finish();
    const bytes = lines.join("").length;
    await putAll(store, [
      executionRecord({
        executionId: "d",
        spoolDir,
        stdoutBytes: bytes,
        stderrBytes: 0,
        output: { encoding: "utf8", head: "h", tail: "t", omittedBytes: 1 },
      }),
    ]);
    expect(await get({ execution_id: "d" })).toMatchObject({
      output: { source: "spool", head: lines.join(""), tail: "", omitted_bytes: 0 },
    });
    const record = await store.getExecution("d");
    const cut = await readRecordedOutput(record as NonNullable<typeof record>, 40);
    expect(cut.head).toBe(lines.join("").slice(0, 20));
    expect(cut.tail).toBe(lines.join("").slice(-20));
    expect(cut.omittedBytes).toBe(bytes - 40);
    rmSync(spoolDir, { recursive: true });
    expect(await get({ execution_id: "d" })).toMatchObject({
      output: { source: "stored", head: "h" },
    });
  });

  it("answers -32002 for an unknown execution and refuses path-like ids", async () => {
    await expect(get({ execution_id: "zzz" })).rejects.toMatchObject({
      code: ErrorCode.ExecutionNotFound,
    });
    expect(HistoryGetParams.safeParse({ execution_id: "../etc" }).success).toBe(false);
  });
});
