/**
 * The server's dispatch table is the contract of src/protocol/method-map.ts: one handler per
 * method, validating with the contract's schema. The `@ts-expect-error` lines are checked by
 * `tsc --noEmit` (the project includes test/): a handler with the wrong params or result does
 * not compile.
 */
import { describe, expect, it } from "vitest";
import { METHOD_NAMES, METHOD_PARAMS } from "../src/protocol/method-map.js";
import { defineMethod } from "../src/server/method-table.js";
import { rpcMethods } from "../src/server/methods/index.js";

describe("the method contract on the server", () => {
  it("has one handler per method, with the contract's params schema", () => {
    const table = rpcMethods();
    expect([...table.keys()].sort()).toEqual([...METHOD_NAMES].sort());
    for (const name of METHOD_NAMES) expect(table.get(name)?.params).toBe(METHOD_PARAMS[name]);
  });

  it("types a handler by its method name", () => {
    const control = defineMethod("control", (params) => {
      const type: "PAUSE" | "RESUME" | "CANCEL" = params.type; // parsed: upper-cased, checked
      return { status: "canceled", execution_id: `${type}:${params.execution_id}` };
    });
    expect(control.params).toBe(METHOD_PARAMS.control);
    // An async handler returns a promise of the result.
    defineMethod("unsubscribe", async (params) => ({
      execution_id: params.execution_id,
      unsubscribed: false,
    }));

    // @ts-expect-error -- the result of `control` is {status, execution_id}, not a number
    defineMethod("control", () => 42);
    // @ts-expect-error -- "stopped" is not a status `control` answers
    defineMethod("control", () => ({ status: "stopped", execution_id: "e" }));
    // @ts-expect-error -- a promise of the wrong result is wrong too
    defineMethod("unsubscribe", async () => ({ execution_id: "e" }));
    defineMethod("control", (params) => {
      // @ts-expect-error -- the params are the method's own: `control` has no `command`
      params.command;
      return { status: "paused", execution_id: "e" };
    });
    // @ts-expect-error -- only methods of the contract can be defined
    defineMethod("no.such.method", () => null);
  });
});
