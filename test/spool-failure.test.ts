/**
 * A spool that cannot be written (a full disk, a broken folder) stops spooling and says so; it
 * never stops the execution or the live stream (DESIGN §5). The memory window is then all there
 * is: a late subscriber gets a `process.gap` for what it no longer holds, then the rest.
 */

import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../src/log/logger.js";
import type { Execution } from "../src/supervisor/execution/execution.js";
import { collectOutput, oneTo } from "./helpers/output-check.js";
import { RpcSocket } from "./helpers/rpc-socket.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

const KiB = 1024;
const LINES = 100_000;
const seqText = (n: number) => `${oneTo(n).join("\n")}\n`;

describe("a spool that cannot be written", () => {
  let server: TestServer;
  let socket: RpcSocket;
  const warnings: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    server = await startTestServer(
      { maxBufferBytes: 64 * KiB },
      createLogger("warn", (line) => warnings.push(JSON.parse(line) as Record<string, unknown>)),
    );
    // The spool root becomes a file: creating an execution's spool folder fails (ENOTDIR),
    // as a write fails on a full disk.
    const spoolRoot = join(server.home, "spool");
    rmSync(spoolRoot, { recursive: true, force: true });
    writeFileSync(spoolRoot, "not a folder");
    socket = await RpcSocket.open(server.wsUrl, { token: server.token });
  });
  afterAll(async () => {
    socket.close();
    await server.stop();
  });

  it("runs to completion, streams every byte live, and warns the operator once", async () => {
    const { id, completed } = await socket.run(`seq 1 ${LINES}`);
    expect(completed.status).toBe("completed");
    expect(collectOutput(socket.messages, id).stdout.toString()).toBe(seqText(LINES));
    expect(server.context.engine.get(id)?.spool?.error).toMatch(/ENOTDIR/);
    const spoolWarnings = warnings.filter((w) => w.execution_id === id);
    expect(spoolWarnings).toHaveLength(1);
    expect(spoolWarnings[0]).toMatchObject({
      level: 40,
      error: expect.stringMatching(/^ENOTDIR: not a directory, mkdir /),
      msg: expect.stringMatching(/^spooling stopped/),
    });
  });

  it("keeps the memory window, and a late subscriber gets a gap, then the rest", async () => {
    const { id, completed } = await socket.run(`seq 1 ${LINES}`);
    const execution = server.context.engine.get(id);
    // The window is not let go of after the end, as it would be once a spool held everything.
    await (execution as Execution | undefined)?.spool?.finish();
    expect(execution?.output.window.size).toBeGreaterThan(0);
    const subscriber = await RpcSocket.open(server.wsUrl, { token: server.token });
    try {
      await subscriber.result("subscribe", { execution_id: id, after_seq: 0 });
      await subscriber.notification("process.completed", id);
      const gaps = subscriber.all("process.gap", id).map((m) => m.params);
      expect(gaps).toEqual([{ execution_id: id, from_seq: 1, to_seq: expect.any(Number) }]);
      const gapEnd = Number(gaps[0]?.to_seq);
      const lastSeq = Number(completed.last_seq);
      expect(collectOutput(subscriber.messages, id).seqs).toEqual(oneTo(lastSeq).slice(gapEnd));
      const sent = socket.all("process.output", id).slice(gapEnd);
      expect(collectOutput(subscriber.messages, id).stdout.toString()).toBe(
        sent.map((m) => m.params?.data).join(""),
      );
    } finally {
      subscriber.close();
    }
  });

  it("keeps serving", async () => {
    const { id, completed } = await socket.run("echo still here");
    expect(completed.status).toBe("completed");
    expect(collectOutput(socket.messages, id).stdout.toString()).toBe("still here\n");
  });
});
