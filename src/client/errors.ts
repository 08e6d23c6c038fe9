/** Errors the client raises. Server errors keep their JSON-RPC code. */
export class RemoteError extends Error {
  override name = "RemoteError";
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

/** The connection dropped before a reply came; the request may or may not have been handled. */
export class ConnectionLostError extends Error {
  override name = "ConnectionLostError";
}

/**
 * The server answered the WebSocket handshake with an HTTP error (401 wrong or missing token,
 * 403 Host/Origin not allowed). Retrying cannot help, so the client does not reconnect after it.
 * A subclass of ConnectionLostError so code that catches connection failures still catches it.
 */
export class HandshakeRefusedError extends ConnectionLostError {
  override name = "HandshakeRefusedError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * No reply came within the request's timeout (the client's `requestTimeoutMs`, 30 s by default,
 * or the request's own `timeoutMs`). The client stays connected and usable, and ignores a reply
 * that comes later; the server may still have carried the request out.
 */
export class RequestTimeoutError extends Error {
  override name = "RequestTimeoutError";
  constructor(
    readonly method: string,
    readonly timeoutMs: number,
  ) {
    super(`no reply to ${method} within ${timeoutMs} ms`);
  }
}

/** The client was closed, or gave up reconnecting. */
export class ClientClosedError extends Error {
  override name = "ClientClosedError";
}
