import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ExecutionTracker } from "../src/server/history/execution-tracker.js";
import { MemoryStore } from "../src/store/memory-store.js";
import { WriteBatcher } from "../src/store/write-batcher.js";
import type { Execution } from "../src/supervisor/execution/execution.js";
import type { ExecutionListener } from "../src/supervisor/execution/execution-listener.js";
import { currentServerIdentity, processStartTicks } from "../src/supervisor/process/proc-stat.js";
import {
  type RecordedSupervisor,
  recordedSupervisor,
  shellSpec,
} from "./helpers/recorded-supervisor.js";
import { tempDir } from "./helpers/store-fixtures.js";

const KiB = 1024;

describe("history recorder on a real supervisor", () => {
  let store: MemoryStore;
  let spool: { path: string; remove(): void };
  let rig: RecordedSupervisor;

  beforeEach(() => {
    store = new MemoryStore();
    spool = tempDir("cce-spool-");
    rig = recordedSupervisor(store, spool.path);
  });
  afterEach(async () => {
    await rig.close();
    spool.remove();
  });

  it("records a finished execution: who, status, bytes, timings, head and tail", async () => {
    rig.recorder.connectionOpened({ sessionId: "s-1", peer: "127.0.0.1:4242" });
    // 200,000 × "a", a newline, then "err" on stderr: more than head + tail.
    const command = "head -c 200000 /dev/zero | tr '\\0' a; echo; echo err >&2; exit 3";
    const spec = shellSpec(command, { sessionId: "s-1", timeoutMs: 60_000 });
    const { execution } = rig.supervisor.submit(spec);
    await execution.done;
    await rig.recorder.flush();
    const record = await store.getExecution(spec.id);
    expect(record).toMatchObject({
      executionId: spec.id,
      kind: "command",
      command,
      commandClass: "cmd:head -c <n> <path> | tr <str> a; echo; echo err >&<n>; exit <n>",
      cwd: "/tmp",
      sessionId: "s-1",
      peer: "127.0.0.1:4242",
      status: "failed",
      exitCode: 3,
      signal: null,
      pid: execution.pid,
      stdoutBytes: 200_001,
      stderrBytes: 4,
      timeoutMs: 60_000,
      timeoutSource: "request",
      spoolDir: execution.spool?.dir,
      error: null,
    });
    expect(record?.startedAtMs).toBe(execution.startedAt?.getTime());
    expect(record?.endedAtMs).toBe(execution.endedAt?.getTime());
    expect(record?.durationMs).toBe(execution.result?.durationMs);
    const output = record?.output;
    expect(output?.head).toBe("a".repeat(64 * KiB));
    expect(output?.tail.length).toBe(64 * KiB);
    expect(output?.tail.endsWith("a\n") || output?.tail.endsWith("err\n")).toBe(true);
    expect(output?.tail).toContain("err\n");
    expect(output?.omittedBytes).toBe(200_001 + 4 - 128 * KiB);
    expect(await store.journal()).toEqual([]);
  });

  it("journals a running execution with its pid and process start time, then removes it", async () => {
    const spec = shellSpec("exec sleep 30");
    const { execution } = rig.supervisor.submit(spec, (e) => e.addListener(startedListener(e)));
    await started.get(execution);
    await rig.recorder.flush();
    const [entry] = await store.journal();
    const pid = execution.pid as number;
    expect(entry).toMatchObject({
      executionId: spec.id,
      pid,
      pgid: pid,
      startTicks: processStartTicks(pid),
      serverPid: process.pid,
      host: rig.recorder.identity.host,
      bootId: rig.recorder.identity.bootId,
    });
    expect((await store.getExecution(spec.id))?.status).toBe("running");
    execution.cancel();
    await execution.done;
    await rig.recorder.flush();
    expect(await store.journal()).toEqual([]);
    expect((await store.getExecution(spec.id))?.status).toBe("canceled");
  });

  it("records connections with their execution count", async () => {
    rig.recorder.connectionOpened({
      sessionId: "s-2",
      peer: "[::1]:5000",
      connectedAt: new Date(5000),
    });
    rig.recorder.connectionClosed({ sessionId: "s-2", executionCount: 7 });
    rig.recorder.connectionOpened({ sessionId: "s-3", peer: "127.0.0.1:1" });
    await rig.close();
    const connections = await store.listConnections(10);
    const closed = connections.find((c) => c.sessionId === "s-2");
    expect(closed).toMatchObject({ peer: "[::1]:5000", startedAtMs: 5000, executionCount: 7 });
    expect(closed?.endedAtMs).not.toBeNull();
    // Still open at shutdown: closed by the recorder's close().
    expect(connections.find((c) => c.sessionId === "s-3")?.endedAtMs).not.toBeNull();
  });

  it("loses nothing on graceful shutdown: running executions end interrupted", async () => {
    const specs = [shellSpec("exec sleep 30"), shellSpec("exec sleep 31")];
    const executions = specs.map(
      (spec) => rig.supervisor.submit(spec, (e) => e.addListener(startedListener(e))).execution,
    );
    await Promise.all(executions.map((e) => started.get(e)));
    await rig.close();
    for (const spec of specs)
      expect((await store.getExecution(spec.id))?.status).toBe("interrupted");
    expect(await store.journal()).toEqual([]);
  });
});

describe("execution tracker", () => {
  it("keeps detections and Claude results the execution's owner reports", async () => {
    const store = new MemoryStore();
    const batcher = new WriteBatcher(store, { flushIntervalMs: 60_000 });
    const spec = shellSpec("claude -p hi", { kind: "claude", command: "Say hi" });
    // Only what the tracker reads of an Execution; the listener calls are what the supervisor
    // and the Claude runner make (DESIGN §6).
    const execution = {
      spec,
      status: "queued",
      spool: null,
      output: { window: { guaranteedBytes: 0 } },
      startedAt: null,
      endedAt: null,
      removeListener() {},
    } as unknown as Execution;
    const tracker = new ExecutionTracker(execution, {
      identity: currentServerIdentity(),
      batcher,
      now: () => 1000,
      peerOf: () => null,
    });
    tracker.begin();
    tracker.event({ type: "started", pid: process.pid, pgid: process.pid });
    tracker.event({
      type: "claude",
      notice: { kind: "token_limit", limit: 32000, message: "too long", attempt: 1 },
    });
    tracker.event({
      type: "claude",
      notice: {
        kind: "retry",
        attempt: 2,
        maxAttempts: 3,
        delayMs: 10,
        reason: "token_limit",
        message: "again",
      },
    });
    tracker.event({
      type: "silent",
      report: {
        pid: process.pid,
        pgid: process.pid,
        silentSeconds: 30,
        message: "quiet",
        cpuPercent: null,
        rssBytes: null,
      },
    });
    tracker.ended({
      executionId: spec.id,
      status: "completed",
      exitCode: 0,
      signal: null,
      durationMs: 1500,
      startedAt: new Date(1000),
      endedAt: new Date(2500),
      lastSeq: 0,
      stdoutBytes: 0,
      stderrBytes: 0,
      claude: {
        sessionId: "cs-1",
        result: "hi",
        subtype: "success",
        isError: false,
        costUsd: 0.5,
        numTurns: 2,
        usage: { output_tokens: 9 },
        attempts: 1,
      },
    });
    await batcher.close();
    const record = await store.getExecution(spec.id);
    expect(record).toMatchObject({
      kind: "claude",
      commandClass: "claude:say hi",
      status: "completed",
      durationMs: 1500,
      detections: [
        {
          type: "error.token_limit_exceeded",
          atMs: 1000,
          details: { limit: 32000, recoverable: true, message: "too long", attempt: 1 },
        },
      ],
      claude: {
        sessionId: "cs-1",
        subtype: "success",
        isError: false,
        costUsd: 0.5,
        numTurns: 2,
        usage: { output_tokens: 9 },
      },
      output: { encoding: "utf8", head: "", tail: "", omittedBytes: 0 },
    });
    expect(await store.journal()).toEqual([]);
  });
});

/** Resolves when an execution reports process.started. */
const started = new Map<Execution, Promise<void>>();
function startedListener(execution: Execution): ExecutionListener {
  let resolve!: () => void;
  started.set(
    execution,
    new Promise((r) => {
      resolve = r;
    }),
  );
  return {
    event: (event) => {
      if (event.type === "started") resolve();
    },
  };
}
