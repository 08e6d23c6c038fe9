/**
 * Plain HTTP: `/healthz` (no token, says only "ok"), `/health` (token, full status),
 * `/metrics` (token, Prometheus text format) and the dashboard's page and assets (no token,
 * they hold no data; server/dashboard/), and the dashboard's `POST /logout`.
 * Every request passes the Host/Origin/token guard first.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuditLog } from "../log/audit-log.js";
import { refusedAtConnect } from "./connection-guard.js";
import { serverStatus } from "./methods/status.js";
import { checkRequest, type GuardOptions } from "./request-guard.js";
import type { ServerContext } from "./server-context.js";

export function handleHttp(
  request: IncomingMessage,
  response: ServerResponse,
  context: ServerContext,
  guard: GuardOptions,
): void {
  if (refusedAtConnect(request.socket)) return; // it has its 503 and is being dropped
  const path = (request.url ?? "/").split("?")[0];
  const dashboardPage =
    (request.method === "GET" || request.method === "HEAD") &&
    context.dashboardRoutes.isOpenPath(path ?? "/");
  const logout = path === "/logout" && request.method === "POST";
  const open = path === "/healthz" || dashboardPage || logout;
  const verdict = checkRequest(request, { ...guard, requireToken: guard.requireToken && !open });
  if (!verdict.ok) {
    refuse(context.audit, request, path ?? "/", verdict.reason);
    sendJson(response, verdict.status, { error: verdict.reason });
  } else if (logout) {
    context.dashboardRoutes.logout(request, response);
  } else if (request.method !== "GET" && request.method !== "HEAD") {
    sendJson(response, 405, { error: "method not allowed" });
  } else if (dashboardPage) {
    context.dashboardRoutes.handle(request, response, path ?? "/");
  } else if (path === "/healthz") {
    sendJson(response, 200, { status: "ok" });
  } else if (path === "/health") {
    sendJson(response, 200, { status: "ok", ...serverStatus(context) });
  } else if (path === "/metrics") {
    void context.metrics.scrape().then(
      ({ contentType, text }) => {
        response.writeHead(200, { "content-type": contentType, "cache-control": "no-store" });
        response.end(text);
      },
      (error: unknown) => sendJson(response, 500, { error: (error as Error).message }),
    );
  } else {
    sendJson(response, 404, { error: "not found" });
  }
}

export function refuse(
  audit: AuditLog,
  request: IncomingMessage,
  path: string,
  reason: string,
): void {
  audit.record({ event: "refused", reason, peer: request.socket.remoteAddress ?? "?", path });
}

function sendJson(response: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  response.end(text);
}
