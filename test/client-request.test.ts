/**
 * `client.request(method, params, {signal, timeoutMs})` against a real server over a real socket:
 * typed by the method contract, a request without a reply in time fails with RequestTimeoutError,
 * an abort fails it at once with the signal's reason — and either way the request is forgotten,
 * its late reply ignored, and the client stays usable. The slow method is `execute` held up by
 * a pre hook that sleeps before the server answers. The `@ts-expect-error` lines are checked by
 * `tsc --noEmit`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CcExecutorClient,
  connect,
  RemoteError,
  RequestTimeoutError,
} from "../src/client/node.js";
import { ErrorCode } from "../src/protocol/errors.js";
import { startTestServer, type TestServer } from "./helpers/test-server.js";

/** The pre hook holds up `execute` this long when the command contains "slow-start". */
const HOOK_DELAY_S = 2;

describe("client.request", () => {
  let server: TestServer;
  let client: CcExecutorClient;

  beforeAll(async () => {
    server = await startTestServer({
      hooks: {
        pre: [
          {
            name: "slow-start",
            command: `if grep -q slow-start; then sleep ${HOOK_DELAY_S}; fi`,
            timeout: 30,
          },
        ],
      },
    });
    client = await connect({ url: server.wsUrl, token: server.token, reconnect: false });
  });
  afterAll(async () => {
    client?.close();
    await server?.stop();
  });

  /** Requests the client still waits for (none once each has ended, however it ended). */
  const pendingCount = (of: CcExecutorClient = client) =>
    (of.rpc as unknown as { pending: Map<number, unknown> }).pending.size;

  /** Resolves when `process.completed` of `executionId` reaches `of` (after its late reply). */
  function completion(executionId: string, of: CcExecutorClient = client): Promise<unknown> {
    return new Promise((resolve) => {
      const stop = of.rpc.on("process.completed", (params) => {
        if (params.execution_id !== executionId) return;
        stop();
        resolve(params);
      });
    });
  }

  it("sends typed params and resolves with the typed result", async () => {
    const status = await client.request("server.status", {});
    expect(status.pid).toBe(process.pid);
    const { executions } = await client.request("executions.list", { limit: 5 });
    expect(Array.isArray(executions)).toBe(true);
    expect(pendingCount()).toBe(0);
  });

  it("no reply in time: RequestTimeoutError, and the client goes on", async () => {
    const id = `slow-timeout-${Date.now()}`;
    const completed = completion(id);
    const startedAt = Date.now();
    const error = await client
      .request("execute", { command: "echo slow-start", execution_id: id }, { timeoutMs: 200 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(error).toMatchObject({ name: "RequestTimeoutError", method: "execute", timeoutMs: 200 });
    expect((error as Error).message).toBe("no reply to execute within 200 ms");
    // It did not wait for the reply.
    expect(Date.now() - startedAt).toBeLessThan(HOOK_DELAY_S * 1000);
    expect(pendingCount()).toBe(0);

    // Usable meanwhile, and after the late reply (the server did start it) was ignored.
    expect((await client.request("server.status", {})).pid).toBe(process.pid);
    expect(await completed).toMatchObject({ execution_id: id, status: "completed" });
    expect((await client.request("server.status", {})).pid).toBe(process.pid);
    expect(pendingCount()).toBe(0);
  });

  it("the client's requestTimeoutMs is the default of its requests", async () => {
    const impatient = await connect({
      url: server.wsUrl,
      token: server.token,
      reconnect: false,
      requestTimeoutMs: 200,
    });
    try {
      const id = `slow-default-${Date.now()}`;
      const completed = completion(id, impatient);
      await expect(
        impatient.request("execute", { command: "echo slow-start", execution_id: id }),
      ).rejects.toBeInstanceOf(RequestTimeoutError);
      // A request may wait longer than the default when it says so.
      const slow = `slow-patient-${Date.now()}`;
      const slowCompleted = completion(slow, impatient);
      const reply = await impatient.request(
        "execute",
        { command: "echo slow-start", execution_id: slow },
        { timeoutMs: 30_000 },
      );
      expect(reply).toMatchObject({ status: "started", execution_id: slow });
      await Promise.all([completed, slowCompleted]);
      expect(pendingCount(impatient)).toBe(0);
    } finally {
      impatient.close();
    }
  });

  it("an abort rejects at once with the signal's reason; the late reply is ignored", async () => {
    const id = `slow-abort-${Date.now()}`;
    const completed = completion(id);
    const controller = new AbortController();
    const request = client.request(
      "execute",
      { command: "echo slow-start", execution_id: id },
      { signal: controller.signal },
    );
    const startedAt = Date.now();
    setTimeout(() => controller.abort(), 50);
    const error = await request.catch((e: unknown) => e);
    expect(error).toBe(controller.signal.reason);
    expect(error).toMatchObject({ name: "AbortError" });
    expect(Date.now() - startedAt).toBeLessThan(HOOK_DELAY_S * 1000);
    expect(pendingCount()).toBe(0);

    expect(await completed).toMatchObject({ execution_id: id, status: "completed" });
    expect((await client.request("server.status", {})).pid).toBe(process.pid);
  });

  it("an already aborted signal rejects at once with its reason", async () => {
    const reason = new Error("changed my mind");
    await expect(
      client.request("server.status", {}, { signal: AbortSignal.abort(reason) }),
    ).rejects.toBe(reason);
    expect(pendingCount()).toBe(0);
  });

  it("a signal that never fires and a reply in time: the result, nothing left behind", async () => {
    const controller = new AbortController();
    const status = await client.request(
      "server.status",
      {},
      { signal: controller.signal, timeoutMs: 10_000 },
    );
    controller.abort(); // too late to matter
    expect(status.pid).toBe(process.pid);
    expect(pendingCount()).toBe(0);
  });

  it("checks params and results by the contract; requestRaw takes any name", async () => {
    await expect(
      // @ts-expect-error -- `execute` needs a string `command`
      client.request("execute", { command: 42 }),
    ).rejects.toMatchObject({ code: ErrorCode.InvalidParams });
    await expect(
      // @ts-expect-error -- `subscribe` needs an `execution_id`
      client.request("subscribe", { after_seq: 0 }),
    ).rejects.toMatchObject({ code: ErrorCode.InvalidParams });
    await expect(
      // @ts-expect-error -- not a method of the contract: requestRaw is for those
      client.request("no.such.method", {}),
    ).rejects.toMatchObject({ code: ErrorCode.MethodNotFound });
    const unknown = await client.requestRaw("no.such.method", {}).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(RemoteError);
    expect(unknown).toMatchObject({ code: ErrorCode.MethodNotFound });

    const status = await client.request("server.status", {});
    // @ts-expect-error -- `version` is a string
    const version: number = status.version;
    expect(typeof version).toBe("string");
    // @ts-expect-error -- server.status has no `executions_running`
    expect(status.executions_running).toBeUndefined();
    expect(status.executions.running).toBeGreaterThanOrEqual(0);
  });
});
