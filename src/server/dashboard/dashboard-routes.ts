/**
 * The dashboard's HTTP side (DESIGN §14): its static files, served without the token (they hold
 * no data; Host and Origin are checked before this runs), and the login `GET /?code=…`, which
 * trades a one-time code for the session cookie and redirects to `/`, dropping the code from the
 * address bar. A wrong, used or expired code gets a page that says how to get a new one.
 */
import { createReadStream } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuditLog } from "../../log/audit-log.js";
import type { DashboardAuth } from "./dashboard-auth.js";
import { findWebDir, listStaticFiles, type StaticFile } from "./static-files.js";

/**
 * default-src 'self' for everything (scripts, the WebSocket, fonts, images). xterm.js writes
 * its theme and dimensions into <style> elements and truecolor cells into style attributes, which
 * CSP counts as inline styles: 'unsafe-inline' for styles only — never for scripts (docs/dashboard.md).
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const SECURITY_HEADERS = {
  "content-security-policy": DASHBOARD_CSP,
  "x-content-type-options": "nosniff",
  // No referrer leaves for other origins; `same-origin` rather than `no-referrer` because under
  // `no-referrer` chromium sends `Origin: null` on the page's own form POST (Log out), which the
  // Origin check must refuse.
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};

const LOGIN_FAILED_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cc-executor dashboard</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body data-testid="login-required"><h1>cc-executor dashboard</h1>
<p>This link is wrong, already used or expired (a link works once, for 5 minutes).</p>
<p>Open the URL that <code>cc-executor dashboard</code> prints.</p></body></html>
`;

const LOGIN_REFUSED = "dashboard code wrong, used or expired";

export class DashboardRoutes {
  private files: Map<string, StaticFile> | null = null;

  constructor(
    private readonly auth: DashboardAuth,
    private readonly audit: AuditLog,
    private readonly webDir: string | null = findWebDir(),
  ) {}

  /** Static files are read from disk when first asked for: a server nobody browses loads none. */
  private staticFiles(): Map<string, StaticFile> {
    this.files ??= this.webDir ? listStaticFiles(this.webDir) : new Map();
    return this.files;
  }

  /** Paths served without the token: the page and its assets (GET/HEAD only, see handle). */
  isOpenPath(path: string): boolean {
    return path === "/" || this.staticFiles().has(path);
  }

  handle(request: IncomingMessage, response: ServerResponse, path: string): void {
    const query = new URL(request.url ?? "/", "http://localhost").searchParams;
    const code = query.get("code");
    // Only a GET trades the code: a HEAD (a link checker's) must not use it up.
    if (path === "/" && code !== null && request.method === "GET") {
      this.login(request, response, code);
      return;
    }
    const file = this.staticFiles().get(path === "/" ? "/index.html" : path);
    if (!file) {
      response.writeHead(404, { "content-type": "text/plain", ...SECURITY_HEADERS });
      response.end("dashboard not built: run `npm run build`\n");
      return;
    }
    response.writeHead(200, {
      "content-type": file.contentType,
      "content-length": file.bytes,
      "cache-control": file.immutable ? "public, max-age=31536000, immutable" : "no-store",
      ...SECURITY_HEADERS,
    });
    if (request.method === "HEAD") response.end();
    else
      createReadStream(file.path)
        .on("error", () => response.destroy())
        .pipe(response);
  }

  /**
   * `POST /logout` (the page's Log out form; no script): ends the cookie's session in the server,
   * closes its sockets, tells the browser to drop the cookie and sends it to `/`, which then
   * shows the login notice. Host and Origin were checked; no token is needed, since all it can do
   * is end the session the request's own cookie names (and SameSite=Strict keeps other sites'
   * forms from sending it).
   */
  logout(request: IncomingMessage, response: ServerResponse): void {
    if (this.auth.endSession(request.headers.cookie))
      this.audit.record({ event: "dashboard_logout", peer: request.socket.remoteAddress ?? "?" });
    response.writeHead(303, {
      location: "/",
      "set-cookie": this.auth.clearedCookie,
      "cache-control": "no-store",
      ...SECURITY_HEADERS,
    });
    response.end();
  }

  private login(request: IncomingMessage, response: ServerResponse, code: string): void {
    const session = this.auth.redeem(code);
    const peer = request.socket.remoteAddress ?? "?";
    if (session === null) {
      // Audited like a refused handshake (and cut and counted like one, refusal-audit.ts).
      this.audit.record({ event: "refused", reason: LOGIN_REFUSED, peer, path: "/" });
      response.writeHead(403, {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store",
        ...SECURITY_HEADERS,
      });
      response.end(LOGIN_FAILED_PAGE);
      return;
    }
    this.audit.record({ event: "dashboard_login", peer });
    response.writeHead(303, {
      location: "/",
      "set-cookie": this.auth.cookieFor(session),
      "cache-control": "no-store",
      ...SECURITY_HEADERS,
    });
    response.end();
  }
}
