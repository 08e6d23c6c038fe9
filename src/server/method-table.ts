/**
 * The dispatch table type. Methods are looked up in a Map by exact name, so names such as
 * `__proto__` or `constructor` are simply unknown methods (DESIGN §11). Each method of the
 * contract (src/protocol/method-map.ts) is defined by name: its params schema comes from the
 * contract, and its handler must return the contract's result.
 */
import {
  METHOD_PARAMS,
  type MethodName,
  type Methods,
  type ParsedParamsOf,
  type ResultOf,
} from "../protocol/method-map.js";
import type * as z from "../protocol/zod.js";
import type { RpcConnection } from "./rpc-connection.js";
import type { ServerContext } from "./server-context.js";

export interface CallContext {
  connection: RpcConnection;
  server: ServerContext;
  /** Runs after the reply is sent: notifications that must follow the reply go here. */
  afterReply(action: () => void): void;
}

/** A method as the dispatcher sees it: `handle` gets the params once `params` has parsed them. */
export interface MethodDefinition {
  params: z.ZodMiniType;
  handle(params: unknown, call: CallContext): unknown;
}

/** The handler of one method of the contract. */
export interface MethodHandler<M extends MethodName> extends MethodDefinition {
  method: M;
  params: Methods[M]["params"];
  handle(params: ParsedParamsOf<M>, call: CallContext): ResultOf<M> | Promise<ResultOf<M>>;
}

export function defineMethod<M extends MethodName>(
  method: M,
  handle: (params: ParsedParamsOf<M>, call: CallContext) => ResultOf<M> | Promise<ResultOf<M>>,
): MethodHandler<M> {
  return { method, params: METHOD_PARAMS[method], handle };
}

export type MethodTable = ReadonlyMap<string, MethodDefinition>;
