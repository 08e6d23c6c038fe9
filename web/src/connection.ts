/**
 * The dashboard's one connection: the browser build of the client SDK over the public
 * WebSocket protocol, authenticated by the session cookie the login set (no token in the page).
 */
import { type CcExecutorClient, connect } from "../../src/client/browser.js";

export type { CcExecutorClient };

export function socketUrl(location: Location): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/ws/mcp`;
}

/** Null when the socket is refused: no session cookie, or an expired one (or no server). */
export async function openConnection(): Promise<CcExecutorClient | null> {
  try {
    return await connect({
      url: socketUrl(window.location),
      token: null,
      // A dashboard left open rides out server restarts and sleeps for a while.
      reconnect: { giveUpAfterMs: 10 * 60_000, initialDelayMs: 200, maxDelayMs: 5_000 },
      connectTimeoutMs: 10_000,
    });
  } catch {
    return null;
  }
}
