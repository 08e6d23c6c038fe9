/**
 * MAX_SESSIONS covers every WebSocket the server holds: `/ws/mcp` (and `/ws`) connections and
 * `/ws/claude` ones alike, so neither path can be used to hold more sockets than the cap.
 */
import type { ServerContext } from "./server-context.js";

export function sessionLimitReached(context: ServerContext): boolean {
  const inUse = context.connections.size + context.claudeSessions.size;
  return inUse >= context.settings.maxSessions;
}

export function sessionLimitMessage(context: ServerContext): string {
  return `session limit reached (${context.settings.maxSessions} connections)`;
}
