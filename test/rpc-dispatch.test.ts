/**
 * Unit test of src/server/rpc-dispatch.ts with a custom method table: what no real method can
 * be made to do on purpose — throw something that is not an RpcError (-32603) — plus the reply
 * shaping that every method relies on (null results, RpcError data, afterReply ordering).
 */
import { describe, expect, it, vi } from "vitest";
import type { Logger } from "../src/log/logger.js";
import { ErrorCode, RpcError } from "../src/protocol/errors.js";
import * as z from "../src/protocol/zod.js";
import type { CallContext, MethodDefinition, MethodTable } from "../src/server/method-table.js";
import type { RpcConnection } from "../src/server/rpc-connection.js";
import { dispatchText, MAX_BATCH_ITEMS } from "../src/server/rpc-dispatch.js";
import type { ServerContext } from "../src/server/server-context.js";

/** A method outside the contract, as the dispatcher sees one. */
function method<Schema extends z.ZodMiniType>(
  params: Schema,
  handle: (params: z.infer<Schema>, call: CallContext) => unknown,
): MethodDefinition {
  return { params, handle: (parsed, call) => handle(parsed as z.infer<Schema>, call) };
}

const table: MethodTable = new Map<string, MethodDefinition>([
  [
    "throws",
    method(z.unknown(), () => {
      throw new Error("secret detail /etc/shadow");
    }),
  ],
  [
    "rejects",
    method(z.unknown(), async () => {
      await Promise.resolve();
      throw "a string, not an Error";
    }),
  ],
  ["typeError", method(z.unknown(), () => (undefined as unknown as { x: number }).x)],
  [
    "rpcError",
    method(z.unknown(), () => {
      throw new RpcError(ErrorCode.ExecutionNotFound, "nope", { execution_id: "e" });
    }),
  ],
  ["nothing", method(z.unknown(), () => undefined)],
  ["echo", method(z.object({ n: z.int() }), (params) => ({ n: params.n }))],
  [
    "later",
    method(z.object({ tag: z.string() }), (params, call) => {
      call.afterReply(() => events.push(`after:${params.tag}`));
      return { tag: params.tag };
    }),
  ],
]);

let events: string[] = [];

function fakeLogger() {
  const error = vi.fn();
  return { logger: { error } as unknown as Logger, error };
}

async function dispatch(
  text: string,
): Promise<{ frames: unknown[]; error: ReturnType<typeof vi.fn> }> {
  const frames: unknown[] = [];
  const { logger, error } = fakeLogger();
  events = [];
  const call = {
    connection: {} as RpcConnection,
    server: {} as ServerContext,
  };
  await dispatchText(
    text,
    table,
    call,
    {
      send: (frame) => {
        events.push("send");
        frames.push(JSON.parse(frame));
      },
      backlogBytes: () => 0,
      hardCapBytes: 64 * 1024 * 1024,
      open: true,
    },
    logger,
  );
  return { frames, error };
}

const request = (id: number | string, method: string, params?: unknown) =>
  JSON.stringify({ jsonrpc: "2.0", id, method, params });

describe("rpc-dispatch", () => {
  it("-32603 when a handler throws something that is not an RpcError; details stay in the log", async () => {
    for (const method of ["throws", "rejects", "typeError"]) {
      const { frames, error } = await dispatch(request(1, method));
      expect(frames).toEqual([
        {
          jsonrpc: "2.0",
          id: 1,
          error: { code: ErrorCode.InternalError, message: "Internal error" },
        },
      ]);
      expect(JSON.stringify(frames)).not.toContain("secret");
      expect(error).toHaveBeenCalledTimes(1);
      expect(error.mock.calls[0]?.[0]).toMatchObject({ method });
    }
  });

  it("a throwing notification is logged and gets no reply", async () => {
    const { frames, error } = await dispatch(JSON.stringify({ jsonrpc: "2.0", method: "throws" }));
    expect(frames).toEqual([]);
    expect(error).toHaveBeenCalledTimes(1);
  });

  it("an RpcError keeps its code, message and data", async () => {
    const { frames } = await dispatch(request("x", "rpcError"));
    expect(frames).toEqual([
      {
        jsonrpc: "2.0",
        id: "x",
        error: { code: ErrorCode.ExecutionNotFound, message: "nope", data: { execution_id: "e" } },
      },
    ]);
  });

  it("a handler returning nothing answers result null", async () => {
    const { frames } = await dispatch(request(2, "nothing"));
    expect(frames).toEqual([{ jsonrpc: "2.0", id: 2, result: null }]);
  });

  it("params are validated by the method's schema, the field named", async () => {
    const { frames } = await dispatch(request(3, "echo", { n: 1.5 }));
    expect(frames).toEqual([
      {
        jsonrpc: "2.0",
        id: 3,
        error: { code: ErrorCode.InvalidParams, message: expect.stringContaining("n:") },
      },
    ]);
  });

  it("names are looked up in the table only, never on a prototype", async () => {
    for (const method of [
      "__proto__",
      "constructor",
      "toString",
      "hasOwnProperty",
      "get",
      "size",
    ]) {
      const { frames } = await dispatch(request(4, method));
      expect(frames).toEqual([
        {
          jsonrpc: "2.0",
          id: 4,
          error: { code: ErrorCode.MethodNotFound, message: `Method not found: ${method}` },
        },
      ]);
    }
  });

  it("in a batch a failing item does not stop the others; afterReply runs after the batch reply", async () => {
    const { frames, error } = await dispatch(
      JSON.stringify([
        { jsonrpc: "2.0", id: 1, method: "later", params: { tag: "a" } },
        { jsonrpc: "2.0", id: 2, method: "throws" },
        { jsonrpc: "2.0", method: "later", params: { tag: "b" } },
        { jsonrpc: "2.0", id: 3, method: "echo", params: { n: 7 } },
      ]),
    );
    expect(frames).toEqual([
      [
        { jsonrpc: "2.0", id: 1, result: { tag: "a" } },
        {
          jsonrpc: "2.0",
          id: 2,
          error: { code: ErrorCode.InternalError, message: "Internal error" },
        },
        { jsonrpc: "2.0", id: 3, result: { n: 7 } },
      ],
    ]);
    expect(error).toHaveBeenCalledTimes(1);
    expect(events).toEqual(["send", "after:a", "after:b"]);
  });

  it("afterReply of a single request runs after its reply is sent", async () => {
    const { frames } = await dispatch(request(5, "later", { tag: "c" }));
    expect(frames).toHaveLength(1);
    expect(events).toEqual(["send", "after:c"]);
  });

  it(`a batch is counted before it is parsed: ${MAX_BATCH_ITEMS} items run, even with commas and brackets in strings and nested values; one more is refused whole`, async () => {
    const item = (i: number) => ({
      jsonrpc: "2.0",
      id: i,
      method: "echo",
      params: { n: i, note: '",[{]}\\', nested: [[1, 2], { a: [3, 4] }] },
    });
    const full = Array.from({ length: MAX_BATCH_ITEMS }, (_, i) => item(i));
    const { frames } = await dispatch(` \n${JSON.stringify(full)}`);
    expect(frames).toHaveLength(1);
    expect(frames[0]).toHaveLength(MAX_BATCH_ITEMS);
    const over = await dispatch(JSON.stringify([...full, item(MAX_BATCH_ITEMS)]));
    expect(over.frames).toEqual([
      {
        jsonrpc: "2.0",
        id: null,
        error: {
          code: ErrorCode.InvalidRequest,
          message: `Invalid Request: a batch of more than ${MAX_BATCH_ITEMS} items; at most ${MAX_BATCH_ITEMS} per batch`,
        },
      },
    ]);
  });

  it("a batch whose replies pass the client's backlog limit: the reply that passes it and every request after are refused, unrun", async () => {
    const frames: unknown[] = [];
    events = [];
    const big = (i: number) => ({
      jsonrpc: "2.0",
      id: i,
      method: "later",
      params: { tag: "x".repeat(400) },
    });
    await dispatchText(
      JSON.stringify([
        big(1),
        big(2),
        big(3),
        { jsonrpc: "2.0", method: "later", params: { tag: "n" } },
      ]),
      table,
      { connection: {} as RpcConnection, server: {} as ServerContext },
      {
        send: (frame) => frames.push(JSON.parse(frame)),
        backlogBytes: () => 100,
        hardCapBytes: 900,
        open: true,
      },
      fakeLogger().logger,
    );
    const replies = frames[0] as Array<{ id: number; result?: unknown; error?: { code: number } }>;
    expect(replies.map((r) => [r.id, r.error?.code ?? "ok"])).toEqual([
      [1, "ok"],
      [2, ErrorCode.LimitReached],
      [3, ErrorCode.LimitReached],
    ]);
    // Item 2 ran (its reply was dropped); item 3 and the notification did not.
    expect(events.filter((e) => e.startsWith("after:"))).toHaveLength(2);
  });
});
