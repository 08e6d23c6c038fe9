/**
 * Claude runs against the fake CLI (test/fixtures/fake-claude) for faults the real one cannot be
 * made to show on demand: result then hang, stdout held open, silence, SIGTERM ignored, no
 * result, two results with a background task (docs/claude.md, "Completion").
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { groupPids } from "./helpers/cli-process.js";
import { eventually, pidAlive } from "./helpers/processes.js";
import { RpcSocket } from "./helpers/rpc-socket.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

const FAKE = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "fake-claude", "claude");
const GRACE_MS = 600;
const KILL_GRACE_MS = 1000;
// Ended by the grace, not left to hang: a generous bound, as a loaded machine starts node slowly.
const ENDED_WITHIN_MS = GRACE_MS + 10_000;

let server: TestServer;
let socket: RpcSocket;
let dir: string;

beforeAll(async () => {
  server = await startTestServer({
    claudeBin: FAKE,
    claudeResultGraceMs: GRACE_MS,
    killGraceMs: KILL_GRACE_MS,
    claudeRetryBaseMs: 50,
  });
  socket = await RpcSocket.open(server.wsUrl, { token: server.token });
  dir = mkdtempSync(join(tmpdir(), "cce-fake-claude-"));
});

afterAll(async () => {
  socket?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function run(mode: string, params: Record<string, unknown> = {}, env = {}) {
  const started = performance.now();
  const reply = await socket.call("claude.execute", {
    prompt: `fake ${mode}`,
    cwd: dir,
    env: { FAKE_CLAUDE_MODE: mode, ...env },
    ...params,
  });
  if (reply.error) throw new Error(reply.error.message);
  const { execution_id: id, pgid } = reply.result as { execution_id: string; pgid: number };
  const completed = (await socket.notification("process.completed", id)).params ?? {};
  return { id, pgid, completed, elapsedMs: performance.now() - started };
}

describe.concurrent("Claude runs against the fake CLI", () => {
  it("ends a CLI that hangs after its result within the grace, as completed", async () => {
    const { pgid, completed, elapsedMs } = await run("result-then-hang");
    expect(completed).toMatchObject({ status: "completed", signal: "SIGTERM" });
    expect(completed.claude).toMatchObject({ result: "fake answer to: fake result-then-hang" });
    expect(elapsedMs).toBeLessThan(ENDED_WITHIN_MS);
    expect(elapsedMs).toBeGreaterThanOrEqual(GRACE_MS);
    expect(groupPids(pgid)).toEqual([]);
  });

  it("ends a run whose grandchild holds stdout open after the result", async () => {
    const pidFile = join(dir, "held-open.pids");
    const { completed, elapsedMs } = await run(
      "stdout-held-open",
      {},
      { FAKE_CLAUDE_PID_FILE: pidFile },
    );
    expect(completed.status).toBe("completed");
    expect(elapsedMs).toBeLessThan(ENDED_WITHIN_MS);
    const grandchild = /grandchild (\d+)/.exec(readFileSync(pidFile, "utf8"))?.[1];
    expect(await eventually(() => !pidAlive(Number(grandchild)), 5000)).toBe(true);
  });

  it("times out a silent CLI at idle_timeout", async () => {
    const { pgid, completed } = await run("silence", { idle_timeout: 1 });
    expect(completed).toMatchObject({ status: "timed_out", timeout_kind: "idle" });
    expect(groupPids(pgid)).toEqual([]);
  });

  it("kills a CLI that ignores SIGTERM after the kill grace", async () => {
    const { pgid, completed, elapsedMs } = await run("ignore-sigterm", { idle_timeout: 1 });
    expect(completed).toMatchObject({ status: "timed_out", signal: "SIGKILL" });
    expect(elapsedMs).toBeGreaterThanOrEqual(1000 + KILL_GRACE_MS);
    expect(groupPids(pgid)).toEqual([]);
  });

  it("fails a run that exits 0 without a result, and does not retry it", async () => {
    const { id, completed } = await run("exit-without-result");
    expect(completed).toMatchObject({ status: "failed", exit_code: 0 });
    expect(completed.claude).toMatchObject({ failure: "no_result", attempts: 1, is_error: true });
    expect(String(completed.error)).toMatch(/without a result \(exit code 0\)/);
    expect(socket.all("claude.retry", id)).toEqual([]);
  });

  it("waits through a background task for the second result", async () => {
    const { id, completed, elapsedMs } = await run(
      "background-two-results",
      {},
      { FAKE_CLAUDE_GAP_MS: String(GRACE_MS * 3), FAKE_CLAUDE_RESULT2: "It finished." },
    );
    expect(completed.status).toBe("completed");
    expect(completed.claude).toMatchObject({ result: "It finished.", cost_usd: 0.0002 });
    expect(elapsedMs).toBeGreaterThanOrEqual(GRACE_MS * 3);
    const results = socket
      .output(id)
      .split("\n")
      .filter((line) => line.includes('"type":"result"'));
    expect(results).toHaveLength(2);
  });

  it("ends on the result, not the exit code, in `execute` of a claude command line too", async () => {
    const reply = await socket.call("execute", {
      command: `${FAKE} -p --output-format stream-json --verbose -- hi`,
      cwd: dir,
      env: { FAKE_CLAUDE_MODE: "result-then-hang" },
    });
    const id = (reply.result as { execution_id: string }).execution_id;
    const started = performance.now();
    const completed = (await socket.notification("process.completed", id)).params ?? {};
    expect(completed.status).toBe("completed");
    expect(completed.claude).toMatchObject({ result: "fake answer to: hi" });
    expect(performance.now() - started).toBeLessThan(ENDED_WITHIN_MS);
  });

  it("keeps a plain command named claude a plain command when it prints no result", async () => {
    const { completed } = await socket.run(`${FAKE} --version`, {
      cwd: dir,
      env: { FAKE_CLAUDE_MODE: "silence" },
      timeout: 1,
    });
    expect(completed.status).toBe("timed_out");
    expect(completed.claude).toBeUndefined();
  });
});
