/**
 * JSON-RPC 2.0 request handling apart from the transport: parse, validate the envelope, look
 * the method up, validate params, run it, and shape the reply. Batches are supported. Any
 * failure becomes an error reply; nothing a client sends can throw out of here.
 */

import type { Logger } from "../log/logger.js";
import { ErrorCode, RpcError } from "../protocol/errors.js";
import { invalidParamsMessage } from "../protocol/invalid-params.js";
import { failureFrame, type RequestId, successFrame } from "../protocol/jsonrpc.js";
import type * as z from "../protocol/zod.js";
import type { CallContext, MethodTable } from "./method-table.js";
import { toRpcError } from "./wire/rpc-errors.js";

type Envelope = { id: RequestId | null; isNotification: boolean; method: string; params: unknown };

export async function dispatchText(
  text: string,
  table: MethodTable,
  call: Omit<CallContext, "afterReply">,
  send: (frame: string) => void,
  logger: Logger,
): Promise<void> {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    send(failureFrame(null, { code: ErrorCode.ParseError, message: "Parse error: invalid JSON" }));
    return;
  }
  if (Array.isArray(message)) {
    if (message.length === 0) {
      send(
        failureFrame(null, {
          code: ErrorCode.InvalidRequest,
          message: "Invalid Request: empty batch",
        }),
      );
      return;
    }
    const replies: string[] = [];
    const after: Array<() => void> = [];
    for (const item of message) {
      await handleOne(item, table, call, (frame) => replies.push(frame), after, logger);
    }
    if (replies.length > 0) send(`[${replies.join(",")}]`);
    for (const action of after) action();
    return;
  }
  const after: Array<() => void> = [];
  await handleOne(message, table, call, send, after, logger);
  for (const action of after) action();
}

async function handleOne(
  message: unknown,
  table: MethodTable,
  call: Omit<CallContext, "afterReply">,
  send: (frame: string) => void,
  after: Array<() => void>,
  logger: Logger,
): Promise<void> {
  const envelope = readEnvelope(message);
  if (envelope instanceof RpcError) {
    send(failureFrame(idOf(message), envelope.toJSON()));
    return;
  }
  const reply = (frame: string) => {
    if (!envelope.isNotification) send(frame);
  };
  try {
    const definition = table.get(envelope.method);
    if (!definition) {
      throw new RpcError(ErrorCode.MethodNotFound, `Method not found: ${envelope.method}`);
    }
    const params = parseParams(definition.params, envelope.params);
    const result = await definition.handle(params, { ...call, afterReply: (a) => after.push(a) });
    reply(successFrame(envelope.id, result ?? null));
  } catch (error) {
    const refusal = toRpcError(error);
    if (refusal) {
      reply(failureFrame(envelope.id, refusal.toJSON()));
      return;
    }
    logger.error({ err: error, method: envelope.method }, "method failed");
    reply(failureFrame(envelope.id, { code: ErrorCode.InternalError, message: "Internal error" }));
  }
}

function readEnvelope(message: unknown): Envelope | RpcError {
  if (typeof message !== "object" || message === null || Array.isArray(message)) {
    return new RpcError(ErrorCode.InvalidRequest, "Invalid Request: expected a JSON-RPC object");
  }
  const record = message as Record<string, unknown>;
  if (record.jsonrpc !== "2.0") {
    return new RpcError(ErrorCode.InvalidRequest, 'Invalid Request: "jsonrpc" must be "2.0"');
  }
  if (typeof record.method !== "string" || record.method.length === 0) {
    return new RpcError(ErrorCode.InvalidRequest, 'Invalid Request: "method" must be a string');
  }
  const hasId = Object.hasOwn(record, "id");
  const id = record.id;
  if (hasId && id !== null && typeof id !== "string" && typeof id !== "number") {
    return new RpcError(
      ErrorCode.InvalidRequest,
      'Invalid Request: "id" must be a string or number',
    );
  }
  return {
    id: (id as RequestId | null | undefined) ?? null,
    isNotification: !hasId,
    method: record.method,
    params: record.params,
  };
}

function idOf(message: unknown): RequestId | null {
  if (typeof message !== "object" || message === null) return null;
  const id = (message as Record<string, unknown>).id;
  return typeof id === "string" || typeof id === "number" ? id : null;
}

function parseParams(schema: z.ZodMiniType, params: unknown): unknown {
  const parsed = schema.safeParse(params ?? {});
  if (parsed.success) return parsed.data;
  throw new RpcError(ErrorCode.InvalidParams, invalidParamsMessage(parsed.error.issues));
}
