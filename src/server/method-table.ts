/**
 * The dispatch table type. Methods are looked up in a Map by exact name, so names such as
 * `__proto__` or `constructor` are simply unknown methods (DESIGN §11).
 */
import type * as z from "../protocol/zod.js";
import type { RpcConnection } from "./rpc-connection.js";
import type { ServerContext } from "./server-context.js";

export interface CallContext {
  connection: RpcConnection;
  server: ServerContext;
  /** Runs after the reply is sent: notifications that must follow the reply go here. */
  afterReply(action: () => void): void;
}

export interface MethodDefinition<Schema extends z.ZodMiniType = z.ZodMiniType> {
  params: Schema;
  handle(params: z.infer<Schema>, call: CallContext): unknown;
}

export function defineMethod<Schema extends z.ZodMiniType>(
  params: Schema,
  handle: (params: z.infer<Schema>, call: CallContext) => unknown,
): MethodDefinition<Schema> {
  return { params, handle };
}

export type MethodTable = ReadonlyMap<string, MethodDefinition>;
