/**
 * The execution engine (src/engine/) as its callers use it, on real parts: a real Supervisor
 * with its process groups and spool, real pre hooks (a shell command), a real store for the
 * timeout estimator, and the fake `claude` CLI for a Claude prompt. What the RPC methods,
 * `/ws/claude` and task lists get from `start` — a handle, a domain result, typed events,
 * domain errors with codes — is pinned here, below the wire.
 */
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Settings, type SettingsInput } from "../src/config/settings.js";
import type { ExecutionRequest, StartContext } from "../src/engine/engine.js";
import type { ExecutionEvent, OutputChunk } from "../src/engine/execution-handle.js";
import { LocalEngine } from "../src/engine/local-engine.js";
import { HookService } from "../src/hooks/hook-service.js";
import type { AuditEvent, AuditLog } from "../src/log/audit-log.js";
import { silentLogger } from "../src/log/logger.js";
import { DomainError } from "../src/runtime/domain-error.js";
import { MemoryStore } from "../src/store/memory-store.js";
import { TimeoutEstimator } from "../src/store/timeout-estimator.js";
import { Supervisor } from "../src/supervisor/supervisor.js";
import { groupPids } from "./helpers/cli-process.js";
import { eventually } from "./helpers/processes.js";
import { tempDir } from "./helpers/test-server.js";

const FAKE_CLAUDE = join(
  dirname(fileURLToPath(import.meta.url)),
  "fixtures",
  "fake-claude",
  "claude",
);
const BY_CONNECTION: StartContext = { origin: { sessionId: "s1", task: null }, sessionId: "s1" };

interface Rig {
  engine: LocalEngine;
  audit: AuditEvent[];
  close(): Promise<void>;
}

const rigs: Rig[] = [];
let spoolRoot: string;

beforeAll(() => {
  spoolRoot = tempDir("cce-engine-spool-");
});
afterEach(async () => {
  for (const rig of rigs.splice(0)) await rig.close();
});
afterAll(() => rmSync(spoolRoot, { recursive: true, force: true }));

function rig(overrides: Partial<SettingsInput> = {}): Rig {
  const settings = Settings.parse({
    home: spoolRoot,
    shell: "sh",
    claudeBin: FAKE_CLAUDE,
    claudeResultGraceMs: 200,
    killGraceMs: 500,
    ...overrides,
  });
  const supervisor = new Supervisor(
    {
      maxConcurrent: settings.maxConcurrent,
      maxPerConnection: 8,
      maxQueue: settings.maxQueue,
      retainEnded: 50,
    },
    (spec) => ({
      killGraceMs: settings.killGraceMs,
      drainMs: 200,
      statusIntervalMs: 30_000,
      windowBytes: 1 << 20,
      tailFlushMs: 10,
      spool: { dir: join(spoolRoot, spec.id), capBytes: 1 << 24, segmentBytes: 1 << 20 },
    }),
  );
  const hooks = new HookService(settings.hooks, {
    baseDir: spoolRoot,
    shellPath: "/bin/sh",
    logger: silentLogger,
  });
  const audit: AuditEvent[] = [];
  const auditLog: AuditLog = { record: (event) => audit.push(event), close: () => {} };
  const engine = new LocalEngine({
    settings,
    supervisor,
    estimator: new TimeoutEstimator(new MemoryStore()),
    hooks,
    audit: auditLog,
    shellPath: "/bin/sh",
    stdbufPath: null,
  });
  const made: Rig = {
    engine,
    audit,
    async close() {
      await engine.shutdown();
      await hooks.close();
    },
  };
  rigs.push(made);
  return made;
}

/** What a listener attached through `start` hears. */
function recorder() {
  const heard = { output: "", events: [] as ExecutionEvent[], firstSeq: null as number | null };
  return {
    heard,
    listener: {
      output(chunk: OutputChunk) {
        heard.firstSeq ??= chunk.seq;
        heard.output += chunk.raw.toString();
      },
      event(event: ExecutionEvent) {
        heard.events.push(event);
      },
    },
  };
}

async function refusal(start: Promise<unknown>): Promise<DomainError> {
  const error = await start.then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

const command = (text: string, more: object = {}): ExecutionRequest => ({
  kind: "command",
  params: { command: text, ...more },
});

describe("ExecutionEngine.start: a shell command", () => {
  it("returns a handle whose done is the domain result; the listener hears from the first byte", async () => {
    const { engine, audit } = rig();
    const { heard, listener } = recorder();
    const started = await engine.start(command("echo hi; echo oops >&2; exit 3", { cwd: "/tmp" }), {
      ...BY_CONNECTION,
      who: "engine test",
      listener,
    });
    expect(started.queuedAt).toBeNull();
    const { handle } = started;
    expect(engine.get(handle.id)).toBe(handle);
    const result = await handle.done;
    expect(result).toMatchObject({
      executionId: handle.id,
      status: "failed",
      exitCode: 3,
      signal: null,
      stdoutBytes: 3,
      stderrBytes: 5,
    });
    expect(result.durationMs).toBeGreaterThan(0);
    expect(result.endedAt).toBeInstanceOf(Date);
    expect(handle.result).toBe(result);
    expect(heard.firstSeq).toBe(1);
    expect(heard.output).toContain("hi\n");
    expect(heard.events[0]).toEqual({ type: "started", pid: handle.pid, pgid: handle.pid });
    expect(handle.spec).toMatchObject({ kind: "command", sessionId: "s1", task: null });
    expect(handle.spec.spawn.cwd).toBe("/tmp");
    expect(handle.spec.spawn.env.CC_EXECUTOR_EXECUTION_ID).toBe(handle.id);
    expect(audit).toEqual([
      expect.objectContaining({
        event: "execute",
        execution_id: handle.id,
        command: "echo hi; echo oops >&2; exit 3",
        cwd: "/tmp",
        session_id: "s1",
        kind: "command",
        who: "engine test",
      }),
    ]);
  });

  it("a spawn failure is a result with its cause, not an exception", async () => {
    const { engine } = rig();
    engine.parts.shellPath = "/nonexistent/shell";
    const { heard, listener } = recorder();
    const { handle } = await engine.start(command("true"), { ...BY_CONNECTION, listener });
    const result = await handle.done;
    expect(result.status).toBe("failed");
    expect(result.error).toMatch(/could not start.*ENOENT/);
    expect(result.cause).toBeInstanceOf(Error);
    expect(heard.events).toEqual([{ type: "spawn_failed", error: result.error }]);
  });

  it("names the task-list step it is for, and counts against no connection", async () => {
    const { engine } = rig();
    const task = { run_id: "r1", index: 2, name: "build", total: 3 };
    const { handle } = await engine.start(command("true"), {
      origin: { sessionId: "s1", task },
      sessionId: null,
    });
    await handle.done;
    expect(handle.spec.task).toEqual(task);
    expect(handle.spec.sessionId).toBeNull();
    expect(engine.list({ sessionId: "s1", limit: 10 })).toEqual([]);
  });
});

describe("ExecutionEngine.start: refusals are domain errors with codes, and nothing runs", () => {
  it("an invalid request: invalid_request, worded as the dispatch words it", async () => {
    const { engine, audit } = rig();
    const error = await refusal(engine.start(command("true", { timeout: -1 }), BY_CONNECTION));
    expect(error.code).toBe("invalid_request");
    expect(error.message).toMatch(/^Invalid params: timeout: /);
    const cwd = await refusal(
      engine.start(command("true", { cwd: "/no/such/dir" }), BY_CONNECTION),
    );
    expect(cwd).toMatchObject({
      code: "invalid_request",
      message: "cwd does not exist: /no/such/dir",
    });
    expect(engine.list({ limit: 10 })).toEqual([]);
    expect(audit).toEqual([]);
  });

  it("an empty command or one ALLOWED_COMMANDS refuses: not_allowed", async () => {
    const { engine } = rig({ allowedCommands: ["echo"] });
    expect((await refusal(engine.start(command("  "), BY_CONNECTION))).code).toBe("not_allowed");
    const listed = await refusal(engine.start(command("rm -rf /tmp/x"), BY_CONNECTION));
    expect(listed).toMatchObject({ code: "not_allowed", message: expect.stringContaining("rm") });
    const claude = await refusal(
      engine.start({ kind: "claude", params: { prompt: "hi" } }, BY_CONNECTION),
    );
    expect(claude.code).toBe("not_allowed");
    expect(engine.list({ limit: 10 })).toEqual([]);
  });

  it("a pre hook's veto: not_allowed, with the hook and its reason as data", async () => {
    const { engine } = rig({
      hooks: {
        pre: [
          {
            name: "no-forbidden",
            command: `if grep -q forbidden; then echo "forbidden word" >&2; exit 2; fi`,
          },
        ],
      },
    });
    const error = await refusal(engine.start(command("echo forbidden"), BY_CONNECTION));
    expect(error).toMatchObject({
      code: "not_allowed",
      message: "vetoed by hook no-forbidden: forbidden word",
      data: { hook: "no-forbidden", reason: "forbidden word" },
    });
    expect(engine.list({ limit: 10 })).toEqual([]);
    const { handle } = await engine.start(command("echo fine"), BY_CONNECTION);
    expect((await handle.done).status).toBe("completed");
  });

  it("past the caps: limit_reached", async () => {
    const { engine } = rig({ maxConcurrent: 1, maxQueue: 1 });
    const first = await engine.start(command("sleep 30"), BY_CONNECTION);
    const queued = await engine.start(command("true"), BY_CONNECTION);
    expect(queued.queuedAt).toBe(1);
    expect(engine.load()).toMatchObject({ running: 1, queued: 1 });
    const error = await refusal(engine.start(command("true"), BY_CONNECTION));
    expect(error.code).toBe("limit_reached");
    first.handle.cancel();
    expect((await queued.handle.done).status).toBe("completed");
  });
});

describe("ExecutionEngine.start: cancellation through the signal", () => {
  it("aborted before admission: rejects with the reason, nothing is admitted", async () => {
    const { engine } = rig();
    const controller = new AbortController();
    controller.abort(new Error("caller left"));
    await expect(
      engine.start(command("true"), { ...BY_CONNECTION, signal: controller.signal }),
    ).rejects.toThrow("caller left");
    expect(engine.list({ limit: 10 })).toEqual([]);
  });

  it("aborted while it runs: the execution ends canceled and its group is gone", async () => {
    const { engine } = rig();
    const controller = new AbortController();
    const { heard, listener } = recorder();
    const { handle } = await engine.start(command("echo up; sleep 30 & wait"), {
      ...BY_CONNECTION,
      signal: controller.signal,
      listener,
    });
    expect(await eventually(() => heard.output.includes("up\n"), 10_000)).toBe(true);
    const pgid = handle.pid as number;
    controller.abort();
    const result = await handle.done;
    expect(result.status).toBe("canceled");
    expect(heard.events.map((event) => event.type)).toContain("canceled");
    expect(await eventually(() => groupPids(pgid).length === 0, 5000)).toBe(true);
  });
});

describe("ExecutionEngine.start: a Claude prompt", () => {
  it("ends on the result event; the result carries the run's summary", async () => {
    const { engine, audit } = rig();
    const { handle } = await engine.start(
      { kind: "claude", params: { prompt: "Say hi", env: { FAKE_CLAUDE_RESULT: "hi there" } } },
      BY_CONNECTION,
    );
    const result = await handle.done;
    expect(result.status).toBe("completed");
    expect(result.claude).toMatchObject({ result: "hi there", isError: false, attempts: 1 });
    expect(handle.spec).toMatchObject({ kind: "claude", command: "Say hi" });
    expect(audit[0]).toMatchObject({
      event: "execute",
      kind: "claude",
      command: 'claude -p "Say hi"',
    });
  });

  it("a Claude line run as a command also ends on its result, with the summary", async () => {
    const { engine } = rig();
    const { handle } = await engine.start(
      command(`${FAKE_CLAUDE} -p hello --output-format stream-json --verbose`, {
        env: { FAKE_CLAUDE_MODE: "result-then-hang", FAKE_CLAUDE_RESULT: "passive" },
      }),
      BY_CONNECTION,
    );
    const result = await handle.done;
    expect(result.status).toBe("completed");
    expect(result.claude?.result).toBe("passive");
  });
});
