/**
 * WebSocket handshakes: every check runs before the 101 response (DESIGN §11), and a refusal is
 * a plain HTTP error on the raw socket. Accepted sockets are routed by path.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { WebSocket } from "ws";
import { ErrorCode } from "../protocol/errors.js";
import { failureFrame } from "../protocol/jsonrpc.js";
import { requireCjs } from "../runtime/require-cjs.js";
import { refusedAtConnect } from "./connection-guard.js";
import { refuse } from "./http-routes.js";
import type { MethodTable } from "./method-table.js";
import { type AuthKind, checkRequest, type GuardOptions } from "./request-guard.js";
import { RpcConnection } from "./rpc-connection.js";
import type { ServerContext } from "./server-context.js";
import { sessionLimitMessage, sessionLimitReached } from "./session-limit.js";
import { PROTOCOL_NAME, tokenOfferedWithoutProtocol } from "./token-check.js";

const { WebSocketServer } = requireCjs("ws") as typeof import("ws");

const RPC_PATHS = new Set(["/ws/mcp", "/ws"]);
const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
};

const TOKEN_WITHOUT_PROTOCOL = `subprotocol ${PROTOCOL_NAME} must be offered beside the token`;

export type ExtraRoute = (socket: WebSocket, request: IncomingMessage, auth: AuthKind) => void;

export class UpgradeHandler {
  readonly wss: InstanceType<typeof WebSocketServer>;

  constructor(
    private readonly context: ServerContext,
    private readonly guard: GuardOptions,
    private readonly methods: MethodTable,
    private readonly extraRoutes: Map<string, ExtraRoute> = new Map(),
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: context.settings.maxPayloadBytes,
      // Select our protocol when offered; the token protocol is never echoed back.
      handleProtocols: (protocols) => (protocols.has(PROTOCOL_NAME) ? PROTOCOL_NAME : false),
    });
  }

  handle(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on("error", () => socket.destroy());
    if (refusedAtConnect(socket)) return; // it has its 503 and is being dropped
    const path = (request.url ?? "/").split("?")[0] ?? "/";
    // Host, Origin and token first, on every handshake: an unauthenticated or rebinding page
    // learns nothing, not even which paths exist.
    const verdict = checkRequest(request, this.guard);
    if (!verdict.ok) {
      this.reject(socket, request, path, verdict.status, verdict.reason);
      return;
    }
    if (tokenOfferedWithoutProtocol(request)) {
      this.reject(socket, request, path, 400, TOKEN_WITHOUT_PROTOCOL);
      return;
    }
    const extra = this.extraRoutes.get(path);
    if (!RPC_PATHS.has(path) && !extra) {
      this.reject(socket, request, path, 404, "unknown path");
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      ws.on("error", () => {});
      if (extra) extra(ws, request, verdict.auth);
      else this.acceptRpc(ws, request, path, verdict.auth);
    });
  }

  private acceptRpc(ws: WebSocket, request: IncomingMessage, path: string, auth: AuthKind): void {
    const { context } = this;
    const peer = `${request.socket.remoteAddress ?? "?"}:${request.socket.remotePort ?? "?"}`;
    if (sessionLimitReached(context)) {
      // Past the handshake (the peer is authenticated), so it is told in-band, then closed
      // with 1013 "try again later"; the audit trail records it like any other refusal.
      refuse(context.audit, request, path, "session limit reached");
      ws.send(
        failureFrame(null, {
          code: ErrorCode.LimitReached,
          message: sessionLimitMessage(context),
        }),
      );
      ws.close(1013, "session limit reached");
      return;
    }
    const connection = new RpcConnection(ws, context, this.methods, peer, auth);
    context.connections.add(connection);
    context.recorder.connectionOpened({
      sessionId: connection.sessionId,
      peer,
      connectedAt: connection.connectedAt,
    });
    context.audit.record({
      event: "connected",
      session_id: connection.sessionId,
      peer,
      path,
      auth,
    });
    // A socket a dashboard session opened closes when that session logs out.
    if (auth === "cookie") {
      const forget = context.dashboard.whenEnded(request.headers.cookie, () =>
        ws.close(1008, "logged out"),
      );
      ws.once("close", forget);
    }
    connection.start();
  }

  private reject(
    socket: Duplex,
    request: IncomingMessage,
    path: string,
    status: number,
    reason: string,
  ): void {
    refuse(this.context.audit, request, path, reason);
    const body = `${reason}\n`;
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? "Error"}\r\nConnection: close\r\n` +
        `Content-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    // The socket left the http server's timeouts with the upgrade: a peer that neither reads
    // nor closes its side must not keep it.
    const timer = setTimeout(() => socket.destroy(), this.context.settings.socketIdleTimeoutMs);
    timer.unref();
    socket.once("close", () => clearTimeout(timer));
  }
}
