/**
 * JSON-RPC 2.0 request handling apart from the transport: parse, validate the envelope, look
 * the method up, validate params, run it, and shape the reply. Batches are supported, bounded in
 * items and in reply bytes (DESIGN §11). Any failure becomes an error reply; nothing a client
 * sends can throw out of here.
 */

import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { Logger } from "../log/logger.js";
import { ErrorCode, RpcError } from "../protocol/errors.js";
import { invalidParamsMessage } from "../protocol/invalid-params.js";
import { failureFrame, type RequestId, successFrame } from "../protocol/jsonrpc.js";
import type * as z from "../protocol/zod.js";
import { batchExceeds } from "./batch-scan.js";
import type { CallContext, MethodTable } from "./method-table.js";
import { toRpcError } from "./wire/rpc-errors.js";

/**
 * The most items one JSON-RPC batch may hold (DESIGN §11; docs/protocol.md, "Batches"). A client
 * library batches a handful of calls; a frame of 524k `1`s is an attack, refused whole.
 */
export const MAX_BATCH_ITEMS = 100;

type Envelope = { id: RequestId | null; isNotification: boolean; method: string; params: unknown };

/** Where replies go, and how far behind the client already is. */
export interface ReplyChannel {
  send(frame: string): void;
  /** Bytes already queued for the client and not yet taken by the kernel. */
  backlogBytes(): number;
  /** A client whose backlog passes this is too far behind (`clientHardCapBytes`). */
  readonly hardCapBytes: number;
  /** False once the connection has closed: nothing is left to answer. */
  readonly open: boolean;
}

export async function dispatchText(
  frame: string | Buffer,
  table: MethodTable,
  call: Omit<CallContext, "afterReply">,
  channel: ReplyChannel,
  logger: Logger,
): Promise<void> {
  const bytes = typeof frame === "string" ? Buffer.from(frame) : frame;
  if (batchExceeds(bytes, MAX_BATCH_ITEMS)) {
    channel.send(failureFrame(null, batchTooLarge()));
    return;
  }
  let message: unknown;
  try {
    message = JSON.parse(frame.toString());
  } catch {
    channel.send(
      failureFrame(null, { code: ErrorCode.ParseError, message: "Parse error: invalid JSON" }),
    );
    return;
  }
  const after: Array<() => void> = [];
  if (Array.isArray(message)) {
    await dispatchBatch(message, table, call, channel, after, logger);
  } else {
    const frame = await handleOne(message, table, call, after, logger);
    if (frame !== null) channel.send(frame);
  }
  for (const action of after) action();
}

/**
 * The items in order, each after a turn of the event loop (so other clients and `/healthz` are
 * served between them). Replies count against the client's backlog as they are made: the first
 * one that would take it past the hard cap is refused, and so is every request after it, unrun,
 * instead of building replies the client could never be sent.
 */
async function dispatchBatch(
  items: unknown[],
  table: MethodTable,
  call: Omit<CallContext, "afterReply">,
  channel: ReplyChannel,
  after: Array<() => void>,
  logger: Logger,
): Promise<void> {
  if (items.length === 0) {
    const empty = { code: ErrorCode.InvalidRequest, message: "Invalid Request: empty batch" };
    channel.send(failureFrame(null, empty));
    return;
  }
  if (items.length > MAX_BATCH_ITEMS) {
    channel.send(failureFrame(null, batchTooLarge()));
    return;
  }
  const replies: string[] = [];
  let replyChars = 0;
  let full = false;
  for (const [index, item] of items.entries()) {
    if (index > 0) await yieldToEventLoop();
    if (!channel.open) return;
    let frame = full
      ? refuseUnrun(item, channel.hardCapBytes)
      : await handleOne(item, table, call, after, logger);
    if (frame === null) continue;
    if (!full && replyChars + frame.length + channel.backlogBytes() > channel.hardCapBytes) {
      full = true;
      frame = failureFrame(idOf(item), backlogFull(channel.hardCapBytes, "its reply was dropped"));
    }
    replies.push(frame);
    replyChars += frame.length;
  }
  if (replies.length > 0) channel.send(`[${replies.join(",")}]`);
}

function batchTooLarge() {
  return {
    code: ErrorCode.InvalidRequest,
    message: `Invalid Request: a batch of more than ${MAX_BATCH_ITEMS} items; at most ${MAX_BATCH_ITEMS} per batch`,
  };
}

function backlogFull(hardCapBytes: number, what: string) {
  return {
    code: ErrorCode.LimitReached,
    message:
      `Limit reached: the replies of this batch passed the client's backlog limit ` +
      `(${Math.round(hardCapBytes / (1024 * 1024))} MiB); ${what}. ` +
      "Send it again alone or in a smaller batch, or ask for less (max_output_bytes).",
  };
}

/** A batch item after the backlog filled: a request gets its refusal, unrun; a notification nothing. */
function refuseUnrun(item: unknown, hardCapBytes: number): string | null {
  const envelope = readEnvelope(item);
  if (envelope instanceof RpcError) return failureFrame(idOf(item), envelope.toJSON());
  if (envelope.isNotification) return null;
  return failureFrame(envelope.id, backlogFull(hardCapBytes, "it was not run"));
}

/** The reply frame of one request, or null for a notification. Never throws. */
async function handleOne(
  message: unknown,
  table: MethodTable,
  call: Omit<CallContext, "afterReply">,
  after: Array<() => void>,
  logger: Logger,
): Promise<string | null> {
  const envelope = readEnvelope(message);
  if (envelope instanceof RpcError) return failureFrame(idOf(message), envelope.toJSON());
  const reply = (frame: string) => (envelope.isNotification ? null : frame);
  try {
    const definition = table.get(envelope.method);
    if (!definition) {
      throw new RpcError(ErrorCode.MethodNotFound, `Method not found: ${envelope.method}`);
    }
    const params = parseParams(definition.params, envelope.params);
    const result = await definition.handle(params, { ...call, afterReply: (a) => after.push(a) });
    return reply(successFrame(envelope.id, result ?? null));
  } catch (error) {
    const refusal = toRpcError(error);
    if (refusal) return reply(failureFrame(envelope.id, refusal.toJSON()));
    logger.error({ err: error, method: envelope.method }, "method failed");
    return reply(
      failureFrame(envelope.id, { code: ErrorCode.InternalError, message: "Internal error" }),
    );
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
