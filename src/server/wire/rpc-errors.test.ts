import { describe, expect, it } from "vitest";
import { ExecutionNotFoundError, InvalidRequestError } from "../../engine/errors.js";
import { HookVetoError } from "../../hooks/hook-service.js";
import { ErrorCode, RpcError } from "../../protocol/errors.js";
import { AdmissionError } from "../../supervisor/admission-error.js";
import { TaskRunNotFoundError } from "../../tasks/task-run-errors.js";
import { toRpcError } from "./rpc-errors.js";

describe("domain errors on the wire", () => {
  it("maps each code to its JSON-RPC code, keeping message and data", () => {
    expect(toRpcError(new InvalidRequestError("bad"))?.toJSON()).toEqual({
      code: ErrorCode.InvalidParams,
      message: "bad",
    });
    expect(toRpcError(new HookVetoError("policy", "no"))?.toJSON()).toEqual({
      code: ErrorCode.CommandNotAllowed,
      message: "vetoed by hook policy: no",
      data: { hook: "policy", reason: "no" },
    });
    expect(toRpcError(new ExecutionNotFoundError("gone"))?.code).toBe(ErrorCode.ExecutionNotFound);
    // A missing task run keeps the wire's -32002, as it always answered.
    expect(toRpcError(new TaskRunNotFoundError("r1"))?.code).toBe(ErrorCode.ExecutionNotFound);
    expect(toRpcError(new AdmissionError("limit_reached", "full"))?.code).toBe(
      ErrorCode.LimitReached,
    );
  });

  it("passes RpcErrors through and leaves faults to the caller", () => {
    const rpc = new RpcError(ErrorCode.MethodNotFound, "nope");
    expect(toRpcError(rpc)).toBe(rpc);
    expect(toRpcError(new TypeError("a bug"))).toBeNull();
    expect(toRpcError("a string")).toBeNull();
  });
});
