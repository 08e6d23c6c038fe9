/** JSON-RPC 2.0 envelopes and their serialisation. No transport here. */
import type { RpcErrorObject } from "./errors.js";

export type RequestId = string | number;

export interface RpcRequest {
  jsonrpc: "2.0";
  id?: RequestId | null;
  method: string;
  params?: unknown;
}

export interface RpcNotification<P = unknown> {
  jsonrpc: "2.0";
  method: string;
  params: P;
}

export interface RpcSuccess<R = unknown> {
  jsonrpc: "2.0";
  id: RequestId | null;
  result: R;
}

export interface RpcFailure {
  jsonrpc: "2.0";
  id: RequestId | null;
  error: RpcErrorObject;
}

export type RpcResponse = RpcSuccess | RpcFailure;

export function notificationFrame(method: string, params: unknown): string {
  return JSON.stringify({ jsonrpc: "2.0", method, params });
}

export function successFrame(id: RequestId | null, result: unknown): string {
  return JSON.stringify({ jsonrpc: "2.0", id, result });
}

export function failureFrame(id: RequestId | null, error: RpcErrorObject): string {
  return JSON.stringify({ jsonrpc: "2.0", id, error });
}

export function isResponse(message: unknown): message is RpcResponse {
  return (
    typeof message === "object" &&
    message !== null &&
    "id" in message &&
    ("result" in message || "error" in message)
  );
}
