/**
 * The one place domain errors become JSON-RPC errors (DESIGN §4 error table): each code of
 * runtime/domain-error.ts has its wire code; the message and data travel as they are.
 */
import { ErrorCode, RpcError } from "../../protocol/errors.js";
import { DomainError, type DomainErrorCode } from "../../runtime/domain-error.js";

const WIRE_CODES: Record<DomainErrorCode, number> = {
  invalid_request: ErrorCode.InvalidParams,
  not_allowed: ErrorCode.CommandNotAllowed,
  not_found: ErrorCode.ExecutionNotFound,
  limit_reached: ErrorCode.LimitReached,
};

/** The error reply for `error`, or null when it is no refusal but a fault (an internal error). */
export function toRpcError(error: unknown): RpcError | null {
  if (error instanceof RpcError) return error;
  if (error instanceof DomainError)
    return new RpcError(WIRE_CODES[error.code], error.message, error.data);
  return null;
}
