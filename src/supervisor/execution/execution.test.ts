import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, describe, expect, it, vi } from "vitest";
import type { OutputChunk } from "../output/output-chunk.js";
import { GroupChild } from "../process/group-child.js";
import { Guardian } from "../process/guardian.js";
import { Execution } from "./execution.js";
import type { ExecutionListener } from "./execution-listener.js";
import type { ExecutionResult } from "./execution-result.js";
import type { ExecutionSettings, ExecutionSpec } from "./execution-spec.js";

const guardian = new Guardian();
guardian.start();
afterAll(() => guardian.close());

const settings: ExecutionSettings = {
  killGraceMs: 300,
  drainMs: 300,
  statusIntervalMs: 60_000,
  windowBytes: 1 << 20,
  tailFlushMs: 10,
  spool: null,
};

function spec(file: string, args: string[], overrides: Partial<ExecutionSpec> = {}): ExecutionSpec {
  return {
    id: `test-${Math.random().toString(36).slice(2)}`,
    kind: "command",
    command: [file, ...args].join(" "),
    spawn: { file, args, cwd: "/", env: process.env },
    timeoutMs: null,
    idleTimeoutMs: null,
    encoding: "utf8",
    killOnDisconnect: false,
    sessionId: null,
    ...overrides,
  };
}

/** Starts `sh -c script` as an execution, with a listener attached before it starts. */
function startShell(script: string) {
  const execution = new Execution(spec("/bin/sh", ["-c", script]), settings, guardian);
  const heard = listen(execution);
  execution.start();
  return { execution, heard };
}

/** Records what a subscriber would hear. */
function listen(execution: Execution) {
  let sawOutput: () => void = () => {};
  const heard = {
    events: [] as string[],
    output: [] as OutputChunk[],
    results: [] as ExecutionResult[],
    /** Resolves at the first output chunk. */
    firstOutput: new Promise<void>((resolve) => {
      sawOutput = resolve;
    }),
  };
  const listener: ExecutionListener = {
    output: (chunk) => {
      heard.output.push(chunk);
      sawOutput();
    },
    event: (event) => heard.events.push(event.type),
    ended: (result) => heard.results.push(result),
  };
  execution.addListener(listener);
  return heard;
}

describe("Execution", () => {
  it("a spawn failure is a failed result with an error, not an exception", async () => {
    const execution = new Execution(spec("/nonexistent/program", []), settings, guardian);
    const heard = listen(execution);
    expect(() => execution.start()).not.toThrow();
    const completed = await execution.done;
    expect(completed.status).toBe("failed");
    expect(completed.error).toMatch(/could not start.*ENOENT/);
    expect(heard.events).toContain("spawn_failed");
    expect(heard.results).toEqual([completed]);
    expect(execution.pid).toBeNull();
  });

  it("a spawn that throws at once (a NUL in argv) is a failed result too", async () => {
    const execution = new Execution(spec("/bin/sh", ["-c", "echo a\u0000b"]), settings, guardian);
    const heard = listen(execution);
    expect(() => execution.start()).not.toThrow();
    const completed = await execution.done;
    expect(completed.status).toBe("failed");
    expect(completed.error).toMatch(/could not start/);
    expect(heard.events).toEqual(["spawn_failed"]);
    expect(heard.results).toHaveLength(1);
  });

  it("cancel of a queued execution ends it without ever starting a process", async () => {
    const execution = new Execution(spec("/bin/sh", ["-c", "echo never"]), settings, guardian);
    const heard = listen(execution);
    expect(execution.cancel()).toBe(true);
    const completed = await execution.done;
    expect(completed).toMatchObject({ status: "canceled", exitCode: null, lastSeq: 0 });
    expect(heard.events).toEqual(["canceled"]);
    execution.start();
    expect(execution.pid).toBeNull();
    expect(execution.cancel()).toBe(false);
    expect(heard.results).toHaveLength(1);
  });

  it("produces exactly one completion whatever ends it, even when several things try", async () => {
    const { execution, heard } = startShell("trap '' TERM; echo up; sleep 1000.424242");
    await heard.firstOutput; // the trap is set
    execution.cancel();
    execution.interrupt();
    const completed = await execution.done;
    // The first reason wins; the TERM was ignored, the KILL after the grace ended it.
    expect(completed).toMatchObject({ status: "canceled", signal: "SIGKILL" });
    expect(heard.results).toEqual([completed]);
    expect(execution.status).toBe("canceled");
  });

  it("endWith decides the status, then ends the group after the grace", async () => {
    const { execution, heard } = startShell("echo result; sleep 1000.434343");
    await heard.firstOutput;
    execution.endWith("completed", "result event", 50);
    const completed = await execution.done;
    expect(completed.status).toBe("completed");
    expect(completed.signal).toBe("SIGTERM");
    expect(heard.output.map((c) => c.raw.toString()).join("")).toBe("result\n");
  });

  it("an ended execution, still listed, lets go of its process, sockets and stream states", async () => {
    const spawned: Array<WeakRef<GroupChild>> = [];
    const spawn = GroupChild.spawn.bind(GroupChild);
    const spy = vi.spyOn(GroupChild, "spawn").mockImplementation((...args) => {
      const child = spawn(...args);
      spawned.push(new WeakRef(child));
      return child;
    });
    const { execution, heard } = startShell("echo out; echo err >&2");
    await execution.done;
    spy.mockRestore();
    expect(heard.output.map((c) => c.raw.toString()).sort()).toEqual(["err\n", "out\n"]);
    expect(spawned).toHaveLength(1);
    // Timers and handles of the ended child let go within a few turns of the event loop.
    const gc = exposedGc();
    for (let turn = 0; turn < 50 && spawned[0]?.deref(); turn++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      gc();
    }
    expect(spawned[0]?.deref()).toBeUndefined();
    expect(execution.status).toBe("completed"); // the execution itself is still here
  });
});

/** `gc()` without starting node with --expose-gc (the flag applies to contexts made after it). */
function exposedGc(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}
