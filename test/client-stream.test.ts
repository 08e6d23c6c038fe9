/**
 * The SDK's streaming form against a real server: typed events in order with rising seq,
 * pause/resume/cancel through the SDK (pause really stops the process and its output), an
 * AbortSignal cancels, and `attach` from a second client replays from a given seq.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClientClosedError } from "../src/client/errors.js";
import {
  type CcExecutorClient,
  connect,
  type ExecutionEvent,
  type ExecutionStream,
} from "../src/client/node.js";
import { eventually, pidAlive } from "./helpers/processes.js";
import { startTestServer, type TestServer, tempDir } from "./helpers/test-server.js";

/** Process state letter from /proc (R, S, T for stopped, Z, …); null when gone. */
function processState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  } catch {
    return null;
  }
}

/** Collects a stream's events and lets a test wait for one matching a predicate. */
class EventLog {
  readonly events: ExecutionEvent[] = [];
  private waiters: Array<{ test: (e: ExecutionEvent) => boolean; resolve: () => void }> = [];
  readonly done: Promise<void>;

  constructor(stream: AsyncIterable<ExecutionEvent>) {
    this.done = (async () => {
      for await (const event of stream) {
        this.events.push(event);
        for (const waiter of [...this.waiters]) {
          if (!waiter.test(event)) continue;
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    })();
  }

  waitFor(test: (e: ExecutionEvent) => boolean): Promise<void> {
    if (this.events.some(test)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  outputs(): Array<Extract<ExecutionEvent, { type: "output" }>> {
    return this.events.filter((e) => e.type === "output");
  }
}

describe("client stream", () => {
  let server: TestServer;
  let client: CcExecutorClient;
  let workDir: string;

  beforeAll(async () => {
    server = await startTestServer();
    client = await connect({ url: server.wsUrl, token: server.token });
    workDir = tempDir("cce-stream-");
  });
  afterAll(async () => {
    client?.close();
    await server?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  it("yields typed events in order: started, output…, completed; seq rises by one", async () => {
    const stream = client.stream(
      "for i in 1 2 3 4 5 6; do echo line-$i; sleep 0.05; done; echo bye >&2",
    );
    const events: ExecutionEvent[] = [];
    for await (const event of stream) events.push(event);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe("started");
    expect(types.at(-1)).toBe("completed");
    expect(types.slice(1, -1).every((t) => t === "output")).toBe(true);
    for (const event of events) expect(event.executionId).toBe(stream.id);

    const started = events[0] as Extract<ExecutionEvent, { type: "started" }>;
    expect(started.pid).toBeGreaterThan(1);
    expect(started.pgid).toBe(started.pid);

    const outputs = events.filter((e) => e.type === "output");
    expect(outputs.map((o) => o.seq)).toEqual(outputs.map((_, i) => i + 1));
    const stdout = outputs.filter((o) => o.stream === "stdout").map((o) => o.data);
    expect(stdout.join("")).toBe("line-1\nline-2\nline-3\nline-4\nline-5\nline-6\n");
    expect(outputs.filter((o) => o.stream === "stderr").map((o) => o.data)).toEqual(["bye\n"]);

    const completed = events.at(-1) as Extract<ExecutionEvent, { type: "completed" }>;
    expect(completed.result).toMatchObject({ status: "completed", exitCode: 0, success: true });
    expect(completed.result.outputs).toBe(outputs.length);
    expect(await stream.result).toEqual(completed.result);
    expect(await stream.started).toMatchObject({ status: "started", pid: started.pid });
  });

  it("pause stops the process and its output; resume continues; cancel ends it as canceled", async () => {
    const stream = client.stream("i=0; while true; do i=$((i+1)); echo tick-$i; sleep 0.02; done");
    const log = new EventLog(stream);
    await log.waitFor((e) => e.type === "output" && e.seq >= 3);
    const started = await stream.started;
    if (started.status !== "started") throw new Error(`not started: ${started.status}`);
    const { pid } = started;

    expect(await stream.pause()).toMatchObject({ status: "paused" });
    await log.waitFor((e) => e.type === "paused");
    // SIGSTOP reached the group: the shell is stopped (T), not merely quiet.
    expect(await eventually(() => processState(pid) === "T", 10_000)).toBe(true);
    // Output already in the pipe may still arrive; after that, nothing while paused.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const outputsWhilePaused = log.outputs().length;
    const serverSeqWhilePaused = server.context.engine.get(stream.id)?.output.lastSeq;
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(log.outputs().length).toBe(outputsWhilePaused);
    expect(server.context.engine.get(stream.id)?.output.lastSeq).toBe(serverSeqWhilePaused);
    expect(processState(pid)).toBe("T");

    expect(await stream.resume()).toMatchObject({ status: "resumed" });
    await log.waitFor((e) => e.type === "resumed");
    const resumedAt = log.events.length;
    await log.waitFor((e) => e.type === "output" && log.events.indexOf(e) >= resumedAt);

    expect(await stream.cancel()).toMatchObject({ status: "canceled" });
    const result = await stream.result;
    await log.done;
    expect(result).toMatchObject({ status: "canceled", success: false });
    const types = log.events.map((e) => e.type);
    expect(types.indexOf("paused")).toBeLessThan(types.indexOf("resumed"));
    expect(types.indexOf("canceled")).toBeGreaterThan(types.indexOf("resumed"));
    expect(types.at(-1)).toBe("completed");
    expect(await eventually(() => !pidAlive(pid), 15_000)).toBe(true);
  });

  it("cancel, pause and resume by id on the client", async () => {
    const stream = client.stream("echo up; sleep 30");
    const log = new EventLog(stream);
    await log.waitFor((e) => e.type === "output");
    expect(await client.pause(stream.id)).toMatchObject({ status: "paused" });
    expect(await client.resume(stream.id)).toMatchObject({ status: "resumed" });
    expect(await client.cancel(stream.id)).toMatchObject({ status: "canceled" });
    expect(await stream.result).toMatchObject({ status: "canceled", stdout: "" });
  });

  it("an AbortSignal cancels a running execute", async () => {
    const controller = new AbortController();
    const executionId = `abort-${Date.now()}`;
    const off = client.rpc.on("process.output", (params) => {
      if (params.execution_id === executionId) controller.abort();
    });
    try {
      const result = await client.execute("echo working; sleep 30", {
        signal: controller.signal,
        executionId,
      });
      expect(result).toMatchObject({ status: "canceled", success: false, stdout: "working\n" });
      expect(result.durationMs).toBeLessThan(20_000);
    } finally {
      off();
    }
  });

  it("an AbortSignal already aborted: nothing is started", async () => {
    const controller = new AbortController();
    controller.abort();
    const executionId = `pre-aborted-${Date.now()}`;
    await expect(
      client.execute("echo never", { signal: controller.signal, executionId }),
    ).rejects.toThrow(/abort/);
    expect(server.context.engine.get(executionId)).toBeUndefined();
  });

  it("attach(executionId, afterSeq) from a second client replays from that seq, then live", async () => {
    const release = join(workDir, "release-attach");
    const stream = client.stream(
      `for i in 1 2 3 4 5 6; do echo early-$i; sleep 0.05; done; ` +
        `while [ ! -e '${release}' ]; do sleep 0.02; done; echo late-1; echo late-2 >&2`,
      { collectOutput: true },
    );
    const first = new EventLog(stream);
    await first.waitFor((e) => e.type === "output" && e.data.includes("early-6"));
    const seenBeforeAttach = first.outputs().length;
    expect(seenBeforeAttach).toBeGreaterThanOrEqual(1);
    const afterSeq = Math.min(3, seenBeforeAttach - 1);

    const second = await connect({ url: server.wsUrl, token: server.token });
    try {
      const attached = second.attach(stream.id, afterSeq);
      const log = new EventLog(attached);
      // The replay has caught up with what the first client saw; now the live part.
      await log.waitFor((e) => e.type === "output" && e.seq === seenBeforeAttach);
      writeFileSync(release, "");
      const result = await attached.result;
      await log.done;
      const firstResult = await stream.result;

      const replayed = log.outputs();
      expect(replayed[0]?.seq).toBe(afterSeq + 1);
      expect(replayed.map((o) => o.seq)).toEqual(replayed.map((_, i) => afterSeq + 1 + i));
      // Exactly what the first client got for those seqs, including the live tail.
      const firstBySeq = first.outputs().filter((o) => o.seq > afterSeq);
      expect(replayed.map((o) => [o.seq, o.stream, o.data])).toEqual(
        firstBySeq.map((o) => [o.seq, o.stream, o.data]),
      );
      expect(replayed.map((o) => o.data).join("")).toContain("late-1\n");
      expect(log.events.some((e) => e.type === "started")).toBe(false);
      expect(log.events.at(-1)?.type).toBe("completed");
      expect(result).toMatchObject({ status: "completed", exitCode: 0 });
      expect(result.outputs).toBe(replayed.length);
      expect(firstResult.stderr).toBe("late-2\n");
    } finally {
      second.close();
    }
  });

  it("close() mid-run: the result rejects with ClientClosedError; the execution outlives the client", async () => {
    const own = await connect({ url: server.wsUrl, token: server.token });
    const stream = own.stream("echo up; sleep 30");
    const log = new EventLog(stream);
    await log.waitFor((e) => e.type === "output");
    own.close();
    await expect(stream.result).rejects.toBeInstanceOf(ClientClosedError);
    await log.done;
    const execution = server.context.engine.get(stream.id);
    expect(execution?.status).toBe("running");
    execution?.cancel();
    await execution?.done;
  });

  it("killOnDisconnect: the server cancels the execution when this client goes away", async () => {
    const own = await connect({ url: server.wsUrl, token: server.token });
    const stream = own.stream("echo up; sleep 30", { killOnDisconnect: true });
    const log = new EventLog(stream);
    await log.waitFor((e) => e.type === "output");
    own.close();
    const execution = server.context.engine.get(stream.id);
    const completion = await execution?.done;
    expect(completion?.status).toBe("canceled");
  });

  it("attach with afterSeq 0 to an execution that already ended: started, all output, completed", async () => {
    const done = await client.execute("echo a; echo b >&2; echo c");
    const second = await connect({ url: server.wsUrl, token: server.token });
    try {
      const attached: ExecutionStream = second.attach(done.executionId);
      const events: ExecutionEvent[] = [];
      for await (const event of attached) events.push(event);
      expect(events[0]?.type).toBe("started");
      expect(events.at(-1)?.type).toBe("completed");
      const outputs = events.filter((e) => e.type === "output");
      expect(outputs.length).toBe(done.outputs);
      expect(
        outputs
          .filter((o) => o.stream === "stdout")
          .map((o) => o.data)
          .join(""),
      ).toBe(done.stdout);
      const result = await attached.result;
      expect(result).toMatchObject({ status: "completed", exitCode: 0 });
    } finally {
      second.close();
    }
  });
});

describe("client stream: a queued execution", () => {
  let server: TestServer;
  let client: CcExecutorClient;

  beforeAll(async () => {
    server = await startTestServer({ maxConcurrent: 1 });
    client = await connect({ url: server.wsUrl, token: server.token });
  });
  afterAll(async () => {
    client?.close();
    await server?.stop();
  });

  it("past the global cap: a queued event with its position, then started when a slot frees", async () => {
    const dir = tempDir("cce-queue-");
    try {
      const release = join(dir, "release");
      const first = client.stream(`echo first; while [ ! -e '${release}' ]; do sleep 0.02; done`);
      const firstLog = new EventLog(first);
      await firstLog.waitFor((e) => e.type === "output");
      const second = client.stream("echo second");
      const secondLog = new EventLog(second);
      await secondLog.waitFor((e) => e.type === "queued");
      expect(await second.started).toMatchObject({ status: "queued", position: 1 });
      writeFileSync(release, "");
      expect(await second.result).toMatchObject({ status: "completed" });
      await secondLog.done;
      expect(secondLog.events.map((e) => e.type)).toEqual([
        "queued",
        "started",
        "output",
        "completed",
      ]);
      expect(secondLog.events[0]).toMatchObject({ type: "queued", position: 1 });
      expect(await first.result).toMatchObject({ status: "completed" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
