/**
 * The checks every HTTP request and WebSocket handshake passes before anything else happens:
 * Host, Origin, token (or the dashboard's session cookie) — in that order, each refusal with its
 * own status and reason.
 */
import type { IncomingMessage } from "node:http";
import type { AllowLists } from "./allow-lists.js";
import type { DashboardAuth } from "./dashboard/dashboard-auth.js";
import { presentedToken, tokensMatch } from "./token-check.js";

/** How a request proved itself: the token, a dashboard session's cookie, or nothing (auth off). */
export type AuthKind = "token" | "cookie" | "none";

export type GuardVerdict =
  | { ok: true; auth: AuthKind }
  | { ok: false; status: 401 | 403; reason: string };

export interface GuardOptions {
  allowLists: AllowLists;
  /** null when auth is off (`--no-auth`). */
  token: string | null;
  requireToken: boolean;
  /** Dashboard sessions: their cookie stands in for the token on browser requests (DESIGN §14). */
  dashboard?: DashboardAuth | null;
}

export function checkRequest(request: IncomingMessage, options: GuardOptions): GuardVerdict {
  if (!options.allowLists.hostAllowed(request.headers.host)) {
    return {
      ok: false,
      status: 403,
      reason: `host not allowed: ${request.headers.host ?? "(none)"}`,
    };
  }
  const origin = request.headers.origin;
  if (!options.allowLists.originAllowed(origin)) {
    return { ok: false, status: 403, reason: `origin not allowed: ${origin}` };
  }
  if (!options.requireToken || options.token === null) return { ok: true, auth: "none" };
  const presented = presentedToken(request);
  // The cookie counts only where a browser says which page asks (Origin, allowed above): a
  // page of another origin — even another port of this host, which shares cookies — is refused.
  if (
    presented === null &&
    origin !== undefined &&
    options.dashboard?.sessionValid(request.headers.cookie)
  )
    return { ok: true, auth: "cookie" };
  if (presented === null) return { ok: false, status: 401, reason: "missing token" };
  if (!tokensMatch(presented, options.token))
    return { ok: false, status: 401, reason: "wrong token" };
  return { ok: true, auth: "token" };
}
