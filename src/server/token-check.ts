/**
 * Token check (DESIGN §11), in constant time, from `Authorization: Bearer` or — for browsers,
 * which cannot set headers on a WebSocket handshake — the subprotocol `cc-executor.token.<t>`.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

export const PROTOCOL_NAME = "cc-executor";
export const TOKEN_PROTOCOL_PREFIX = "cc-executor.token.";

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

/** Comparing digests keeps the comparison constant-time whatever the presented length. */
export function tokensMatch(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

export function offeredProtocols(request: IncomingMessage): string[] {
  const header = request.headers["sec-websocket-protocol"];
  if (!header) return [];
  return header
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
}

/**
 * A browser offers the token beside `cc-executor`, and the server selects that one. An offer of
 * the token alone would leave the 101 without a protocol (DESIGN §11): such a handshake is refused.
 */
export function tokenOfferedWithoutProtocol(request: IncomingMessage): boolean {
  const offered = offeredProtocols(request);
  return (
    offered.some((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX)) && !offered.includes(PROTOCOL_NAME)
  );
}

/**
 * A Bearer header wins; any other Authorization scheme (e.g. Basic added by a proxy in front of
 * a browser) is not ours, so the subprotocol is still looked at.
 */
export function presentedToken(request: IncomingMessage): string | null {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? "");
  if (bearer) return bearer[1] ?? null;
  const protocol = offeredProtocols(request).find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX));
  return protocol ? protocol.slice(TOKEN_PROTOCOL_PREFIX.length) : null;
}
