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

/** The client was closed, or gave up reconnecting. */
export class ClientClosedError extends Error {
  override name = "ClientClosedError";
}
