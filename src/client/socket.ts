/**
 * The slice of the WebSocket API the client needs: the browser's `WebSocket` and the `ws`
 * package both provide it, so the client core runs unchanged in Node and in browsers.
 */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "open", listener: () => void): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  addEventListener(
    type: "close",
    listener: (event: { code: number; reason: string }) => void,
  ): void;
  addEventListener(type: "error", listener: (event: unknown) => void): void;
}

export const SOCKET_OPEN = 1;

/** Opens a socket to the server; each environment supplies its own (token as header or subprotocol). */
export type SocketFactory = (url: string) => SocketLike;
