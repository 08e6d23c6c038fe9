/**
 * What every TCP connection meets before HTTP does (DESIGN §11): no token is needed to open one,
 * so connections that never finish a request must not pile up and take the server's descriptors.
 * - At most `maxConnectionsPerAddress` are open at once from one remote address (WebSockets
 *   included); the next one is answered with a plain 503 saying why and closed at once.
 * - A connection that sends nothing, trickles its headers or idles after a response is closed
 *   within `socketIdleTimeoutMs` (plus up to a second of Node's check interval). Upgraded
 *   WebSockets leave these timers behind (ws clears the socket timeout): heartbeats watch them.
 */
import type { Server, ServerOptions } from "node:http";
import type { Socket } from "node:net";
import type { Settings } from "../config/settings.js";

/** How often Node looks for requests past their headers/request timeout (its default is 30 s). */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;

export const TOO_MANY_CONNECTIONS = "too many connections from this address";

/** The http server's own timeouts: a request's headers and body must arrive within the limit. */
export function httpTimeouts(
  settings: Pick<Settings, "socketIdleTimeoutMs">,
): Pick<
  ServerOptions,
  "headersTimeout" | "requestTimeout" | "keepAliveTimeout" | "connectionsCheckingInterval"
> {
  const limitMs = settings.socketIdleTimeoutMs;
  return {
    headersTimeout: limitMs,
    requestTimeout: limitMs,
    keepAliveTimeout: limitMs,
    connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_INTERVAL_MS, limitMs),
  };
}

/** Sockets refused at connect: HTTP may still parse what they sent, but must not answer it. */
const refusedSockets = new WeakSet<object>();

export function refusedAtConnect(socket: object): boolean {
  return refusedSockets.has(socket);
}

/**
 * Installs the per-address cap and the inactivity timeout on `server`. `onRefused` hears of each
 * connection refused for its address (for the audit trail).
 */
export function guardConnections(
  server: Server,
  settings: Pick<Settings, "socketIdleTimeoutMs" | "maxConnectionsPerAddress">,
  onRefused: (peer: string) => void,
): void {
  // A socket that neither sends nor receives for this long is destroyed by Node's http server
  // (it has no 'timeout' listener of ours). This is what closes a socket that never sends a byte:
  // the headers timeout only starts with the first byte of a request.
  server.setTimeout(settings.socketIdleTimeoutMs);
  const openByAddress = new Map<string, number>();
  // Before Node's own listener, so a refused socket is ended before anything reads from it.
  server.prependListener("connection", (socket: Socket) => {
    const address = socket.remoteAddress;
    if (address === undefined) return; // already gone
    const open = openByAddress.get(address) ?? 0;
    if (open >= settings.maxConnectionsPerAddress) {
      refuseAtConnect(socket, address, settings.maxConnectionsPerAddress);
      onRefused(address);
      return;
    }
    openByAddress.set(address, open + 1);
    socket.once("close", () => {
      const left = (openByAddress.get(address) ?? 1) - 1;
      if (left > 0) openByAddress.set(address, left);
      else openByAddress.delete(address);
    });
  });
}

function refuseAtConnect(socket: Socket, address: string, limit: number): void {
  refusedSockets.add(socket);
  socket.on("error", () => socket.destroy());
  const body = `too many connections from ${address} (limit ${limit})\n`;
  // Sent before the request is read: an HTTP or WebSocket client reads it as the answer to its
  // request. The socket is ended, then dropped soon whatever the peer does.
  socket.end(
    "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain\r\n" +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  const timer = setTimeout(() => socket.destroy(), REFUSED_LINGER_MS).unref();
  socket.once("close", () => clearTimeout(timer));
}

/** How long a refused socket may take to read its 503 before it is dropped. */
const REFUSED_LINGER_MS = 1000;
