/** An ExecutionOwner's decisions: another process in the same execution, the status, extras. */
import { afterAll, describe, expect, it } from "vitest";
import type { OutputChunk } from "../output/output-chunk.js";
import { Guardian } from "../process/guardian.js";
import { Execution } from "./execution.js";
import type { ExecutionEvent } from "./execution-event.js";
import type { AttemptEnd, ExecutionOwner, Settlement } from "./execution-owner.js";
import type { ExecutionResult } from "./execution-result.js";
import type { ExecutionSettings, ExecutionSpec } from "./execution-spec.js";

const guardian = new Guardian();
guardian.start();
afterAll(() => guardian.close());

const settings: ExecutionSettings = {
  killGraceMs: 300,
  drainMs: 300,
  statusIntervalMs: 200,
  windowBytes: 1 << 20,
  tailFlushMs: 10,
  spool: null,
};

function sh(script: string) {
  return { file: "/bin/sh", args: ["-c", script], cwd: "/", env: process.env };
}

function spec(script: string, overrides: Partial<ExecutionSpec> = {}): ExecutionSpec {
  return {
    id: `owner-${Math.random().toString(36).slice(2)}`,
    kind: "claude",
    command: script,
    spawn: sh(script),
    timeoutMs: null,
    idleTimeoutMs: null,
    encoding: "utf8",
    killOnDisconnect: false,
    sessionId: null,
    ...overrides,
  };
}

function record(execution: Execution) {
  const heard = {
    output: [] as OutputChunk[],
    events: [] as ExecutionEvent[],
    results: [] as ExecutionResult[],
  };
  execution.addListener({
    output: (chunk) => heard.output.push(chunk),
    event: (event) => heard.events.push(event),
    ended: (result) => heard.results.push(result),
  });
  return heard;
}

describe("ExecutionOwner", () => {
  it("runs another process in the same execution: seq continues, one completion", async () => {
    const execution = new Execution(spec("printf 'first, no newline'; exit 3"), settings, guardian);
    const heard = record(execution);
    const ends: AttemptEnd[] = [];
    const owner: ExecutionOwner = {
      settle(ended): Settlement | null {
        ends.push(ended);
        if (ends.length === 1) return { retry: { spawn: sh("echo second"), delayMs: 50 } };
        return { status: "completed" };
      },
      summarize: (result) => ({
        claude: {
          sessionId: null,
          result: `summary of ${result.status}`,
          isError: false,
          subtype: null,
          costUsd: null,
          usage: null,
          numTurns: null,
          attempts: 2,
        },
      }),
    };
    execution.setOwner(owner);
    execution.start();
    const completion = await execution.done;
    expect(ends.map((end) => end.exitCode)).toEqual([3, 0]);
    expect(heard.output.map((chunk) => chunk.raw.toString())).toEqual([
      "first, no newline",
      "second\n",
    ]);
    expect(heard.output.map((chunk) => chunk.seq)).toEqual([1, 2]);
    const started = heard.events.filter((event) => event.type === "started");
    expect(started).toHaveLength(2);
    expect(heard.results).toEqual([completion]);
    expect(completion).toMatchObject({ status: "completed", exitCode: 0, lastSeq: 2 });
    expect(completion.claude).toMatchObject({ result: "summary of completed", attempts: 2 });
  });

  it("decides the status against the exit code, and sets the error", async () => {
    const execution = new Execution(spec("exit 0"), settings, guardian);
    execution.setOwner({ settle: () => ({ status: "failed", error: "no result" }) });
    execution.start();
    expect(await execution.done).toMatchObject({
      status: "failed",
      exitCode: 0,
      error: "no result",
    });
  });

  it("ends at once when canceled while it waits for the next process", async () => {
    const execution = new Execution(spec("exit 1"), settings, guardian);
    let waiting: () => void = () => {};
    const inWait = new Promise<void>((resolve) => {
      waiting = resolve;
    });
    execution.setOwner({
      settle() {
        setImmediate(waiting);
        return { retry: { spawn: sh("echo never"), delayMs: 60_000 } };
      },
    });
    const heard = record(execution);
    execution.start();
    await inWait;
    const started = performance.now();
    expect(execution.cancel()).toBe(true);
    const completion = await execution.done;
    expect(performance.now() - started).toBeLessThan(1000);
    expect(completion.status).toBe("canceled");
    expect(heard.events.filter((event) => event.type === "started")).toHaveLength(1);
  });

  it("is not asked about cancel or timeouts, and words the silence status", async () => {
    const execution = new Execution(spec("sleep 5", { timeoutMs: 700 }), settings, guardian);
    const asked: AttemptEnd[] = [];
    execution.setOwner({
      settle: (ended) => {
        asked.push(ended);
        return { status: "completed" };
      },
      silenceMessage: (report) => `owner says: ${report.silentSeconds}s`,
    });
    const heard = record(execution);
    execution.start();
    const completion = await execution.done;
    expect(completion.status).toBe("timed_out");
    expect(asked).toEqual([]);
    const silent = heard.events.find((event) => event.type === "silent");
    expect(silent?.type === "silent" && silent.report.message).toMatch(/^owner says: \d+s$/);
  });

  it("lets the owner's endWith decide, then asks it whether that is the end", async () => {
    const execution = new Execution(spec("sleep 5"), settings, guardian);
    const asked: AttemptEnd[] = [];
    execution.setOwner({
      settle: (ended) => {
        asked.push(ended);
        return null;
      },
    });
    execution.start();
    execution.endWith("completed", "result", 50);
    const completion = await execution.done;
    expect(asked).toEqual([expect.objectContaining({ decided: "completed", signal: "SIGTERM" })]);
    expect(completion).toMatchObject({ status: "completed", signal: "SIGTERM" });
  });
});
