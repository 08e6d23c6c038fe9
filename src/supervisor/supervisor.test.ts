import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DomainErrorCode } from "../runtime/domain-error.js";
import { AdmissionError } from "./admission-error.js";
import type { Execution } from "./execution/execution.js";
import type { ExecutionSettings, ExecutionSpec } from "./execution/execution-spec.js";
import { Supervisor, type SupervisorLimits } from "./supervisor.js";

let root: string;
const supervisors: Supervisor[] = [];

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "cce-supervisor-"));
});
afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((s) => s.shutdown()));
  rmSync(root, { recursive: true, force: true });
});

function make(limits: Partial<SupervisorLimits> = {}): Supervisor {
  const supervisor = new Supervisor(
    { maxConcurrent: 16, maxPerConnection: 16, maxQueue: 100, retainEnded: 100, ...limits },
    (spec): ExecutionSettings => ({
      killGraceMs: 300,
      drainMs: 300,
      statusIntervalMs: 60_000,
      windowBytes: 1 << 20,
      tailFlushMs: 10,
      spool: { dir: join(root, spec.id), capBytes: 1 << 30, segmentBytes: 1 << 20 },
    }),
  );
  supervisors.push(supervisor);
  return supervisor;
}

let counter = 0;
function spec(command: string, sessionId: string | null = "session-a"): ExecutionSpec {
  return {
    id: `e${++counter}`,
    kind: "command",
    command,
    spawn: { file: "/bin/sh", args: ["-c", command], cwd: "/", env: process.env },
    timeoutMs: null,
    idleTimeoutMs: null,
    encoding: "utf8",
    killOnDisconnect: false,
    sessionId,
  };
}

/** The code of the AdmissionError `fn` throws; null when it throws none. */
function refusal(fn: () => unknown): DomainErrorCode | "other" | null {
  try {
    fn();
    return null;
  } catch (error) {
    return error instanceof AdmissionError ? error.code : "other";
  }
}

describe("Supervisor", () => {
  it("queues past the global cap, says where, and starts the next when one ends", async () => {
    const s = make({ maxConcurrent: 1 });
    const first = s.submit(spec("sleep 0.3"));
    const second = s.submit(spec("echo second"));
    expect(first.queuedAt).toBeNull();
    expect(second.queuedAt).toBe(1);
    expect(second.execution.status).toBe("queued");
    expect([s.runningCount, s.queuedCount]).toEqual([1, 1]);
    await first.execution.done;
    const completed = await second.execution.done;
    expect(completed.status).toBe("completed");
    expect(second.execution.pid).toBeGreaterThan(0);
    expect([s.runningCount, s.queuedCount]).toEqual([0, 0]);
  });

  it("refuses past the queue, the per-connection cap, and a reused execution_id", () => {
    const s = make({ maxConcurrent: 1, maxQueue: 1, maxPerConnection: 3 });
    const running = s.submit(spec("sleep 1000.515151", "a"));
    s.submit(spec("true", "b"));
    expect(refusal(() => s.submit(spec("true", "c")))).toBe("limit_reached");
    const again = spec("true", "a");
    again.id = running.execution.id;
    expect(refusal(() => s.submit(again))).toBe("invalid_request");

    const t = make({ maxPerConnection: 2 });
    t.submit(spec("sleep 1000.525252", "x"));
    t.submit(spec("sleep 1000.525252", "x"));
    expect(refusal(() => t.submit(spec("true", "x")))).toBe("limit_reached");
    expect(refusal(() => t.submit(spec("true", "y")))).toBeNull();
  });

  it("a canceled queued execution leaves the queue and never runs", async () => {
    const s = make({ maxConcurrent: 1 });
    const first = s.submit(spec("sleep 0.3"));
    const queued = s.submit(spec("echo never"));
    expect(queued.execution.cancel()).toBe(true);
    expect((await queued.execution.done).status).toBe("canceled");
    expect(s.queuedCount).toBe(0);
    await first.execution.done;
    expect(queued.execution.pid).toBeNull();
    expect(s.runningCount).toBe(0);
  });

  it("shutdown interrupts running and queued executions and refuses new ones", async () => {
    const s = make({ maxConcurrent: 1 });
    const running = s.submit(spec("sleep 1000.535353"));
    const queued = s.submit(spec("echo never"));
    await s.shutdown();
    expect(running.execution.result?.status).toBe("interrupted");
    expect(queued.execution.result?.status).toBe("interrupted");
    expect(queued.execution.pid).toBeNull();
    expect(refusal(() => s.submit(spec("true")))).toBe("limit_reached");
  });

  it("shutdown waits until every spool, also of ended executions, is on disk and closed", async () => {
    const s = make();
    const ended = s.submit(spec("head -c 3000000 /dev/zero"));
    await ended.execution.done;
    await s.shutdown();
    expect(ended.execution.spool?.backlogBytes).toBe(0);
    const dir = join(root, ended.execution.id);
    const size = readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
    expect(size).toBeGreaterThanOrEqual(3_000_000);
  });

  it("keeps only `retainEnded` ended executions and deletes the spool of those it drops", async () => {
    const s = make({ retainEnded: 1 });
    const first = s.submit(spec("echo one"));
    await first.execution.done;
    const firstSpool = join(root, first.execution.id);
    expect(await eventually(() => existsSync(firstSpool))).toBe(true);
    const second = s.submit(spec("echo two"));
    await second.execution.done;
    await new Promise((resolve) => setImmediate(resolve));
    expect(s.has(first.execution.id)).toBe(false);
    expect(s.get(second.execution.id)).toBe(second.execution);
    expect(await eventually(() => !existsSync(firstSpool))).toBe(true);
  });
});

async function eventually(check: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return check();
}

describe("Supervisor: ended executions whose spool is incomplete", () => {
  it("keep their memory windows only up to `maxRetainedWindowBytes`, the oldest let go first", async () => {
    // The spool root is a file: every spool fails, so each ended execution would keep its window.
    writeFileSync(join(root, "not-a-folder"), "");
    const supervisor = new Supervisor(
      {
        maxConcurrent: 16,
        maxPerConnection: 16,
        maxQueue: 100,
        retainEnded: 100,
        maxRetainedWindowBytes: 250_000,
      },
      (spec): ExecutionSettings => ({
        killGraceMs: 300,
        drainMs: 300,
        statusIntervalMs: 60_000,
        windowBytes: 1 << 20,
        tailFlushMs: 10,
        spool: {
          dir: join(root, "not-a-folder", spec.id),
          capBytes: 1 << 30,
          segmentBytes: 1 << 20,
        },
      }),
    );
    supervisors.push(supervisor);
    const executions: Execution[] = [];
    for (let i = 0; i < 4; i++) {
      // 108,894 bytes each: two windows fit the bound, three do not.
      const { execution } = supervisor.submit(spec("seq 1 20000"));
      await execution.done;
      executions.push(execution);
    }
    const kept = () => executions.map((e) => e.output.window.retainedBytes > 0);
    expect(await eventually(() => kept().join() === "false,false,true,true")).toBe(true);
  });
});
