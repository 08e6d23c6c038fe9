/** A real Supervisor with a HistoryRecorder attached, as the server composes them. */
import { join } from "node:path";
import { HistoryRecorder } from "../../src/server/history/history-recorder.js";
import type { Store } from "../../src/store/store.js";
import { WriteBatcher } from "../../src/store/write-batcher.js";
import type { ExecutionSpec } from "../../src/supervisor/execution/execution-spec.js";
import { Supervisor } from "../../src/supervisor/supervisor.js";

export interface RecordedSupervisor {
  supervisor: Supervisor;
  recorder: HistoryRecorder;
  /** Shuts the supervisor down, then writes out the history (the server's order). */
  close(): Promise<void>;
}

export function recordedSupervisor(store: Store, spoolRoot: string): RecordedSupervisor {
  const supervisor = new Supervisor(
    { maxConcurrent: 8, maxPerConnection: 8, maxQueue: 10, retainEnded: 100 },
    (spec) => ({
      killGraceMs: 1000,
      drainMs: 200,
      statusIntervalMs: 30_000,
      windowBytes: 8 * 1024 * 1024,
      tailFlushMs: 10,
      spool: { dir: join(spoolRoot, spec.id), capBytes: 1 << 30, segmentBytes: 1 << 20 },
    }),
  );
  const batcher = new WriteBatcher(store, { flushIntervalMs: 10 });
  const recorder = new HistoryRecorder(batcher);
  supervisor.observe(recorder);
  return {
    supervisor,
    recorder,
    async close() {
      await supervisor.shutdown();
      await recorder.close();
      await batcher.close();
    },
  };
}

let counter = 0;

export function shellSpec(command: string, overrides: Partial<ExecutionSpec> = {}): ExecutionSpec {
  return {
    id: `x${process.pid}-${++counter}`,
    kind: "command",
    command,
    spawn: { file: "/bin/sh", args: ["-c", command], cwd: "/tmp", env: { PATH: process.env.PATH } },
    timeoutMs: null,
    idleTimeoutMs: null,
    encoding: "utf8",
    killOnDisconnect: false,
    sessionId: null,
    ...overrides,
  };
}
