/**
 * The JSON-RPC error table (DESIGN §4). One place for every code the server sends and the
 * client understands; nothing else invents codes.
 */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  CommandNotAllowed: -32001,
  ExecutionNotFound: -32002,
  LimitReached: -32003,
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface RpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/** An error meant for the peer: its code and message travel in the JSON-RPC error reply. */
export class RpcError extends Error {
  readonly code: number;
  readonly data: unknown;

  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.name = "RpcError";
    this.code = code;
    this.data = data;
  }

  toJSON(): RpcErrorObject {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }
}
