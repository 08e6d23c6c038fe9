/**
 * Turns a failed WebSocket open into an error a person can act on. Node's `ws` reports the
 * cause in the error event ("Unexpected server response: 401", "connect ECONNREFUSED …");
 * browsers report nothing, so the close code is the fallback.
 */
import { ConnectionLostError, HandshakeRefusedError } from "./errors.js";

const REFUSAL_HINTS: Record<number, string> = {
  401: "the server refused the token (HTTP 401): use the token in the server's home ($CC_EXECUTOR_HOME/token) or pass it explicitly",
  403: "the server refused the request (HTTP 403): Host or Origin not allowed",
};

/** The message of a socket error event, when the environment gives one. */
export function errorDetail(event: unknown): string | null {
  if (typeof event !== "object" || event === null) return null;
  const message = (event as { message?: unknown }).message;
  return typeof message === "string" && message.length > 0 ? message : null;
}

export function connectFailure(
  url: string,
  detail: string | null,
  closeCode: number,
): ConnectionLostError {
  const status = /Unexpected server response: (\d{3})/.exec(detail ?? "")?.[1];
  const hint = status === undefined ? undefined : REFUSAL_HINTS[Number(status)];
  if (status !== undefined && hint !== undefined) {
    return new HandshakeRefusedError(Number(status), `cannot connect to ${url}: ${hint}`);
  }
  return new ConnectionLostError(
    `cannot connect to ${url}: ${detail ?? `connection closed (${closeCode})`}`,
  );
}
