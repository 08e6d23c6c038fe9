/**
 * Dashboard login (DESIGN §14, docs/dashboard.md): one-time codes, traded once for a session
 * cookie that the server accepts in place of the token. Both live in memory only: a restart
 * ends every dashboard session (print a new URL with `cc-executor dashboard`).
 *
 * Codes and session ids are 128-bit random values kept only as SHA-256 digests, so a timing
 * side channel on the Map lookup reveals nothing usable.
 */
import { createHash, randomBytes } from "node:crypto";

export const CODE_LIFETIME_MS = 5 * 60_000;
export const SESSION_LIFETIME_MS = 24 * 60 * 60_000;
/** Outstanding codes and sessions are capped: the oldest goes first. */
const MAX_ENTRIES = 200;

function digest(value: string): string {
  return createHash("sha256").update(value).digest("base64url");
}

function newSecret(): string {
  return randomBytes(16).toString("base64url");
}

/** A Map of digest → expiry (ms since epoch) that forgets expired and overflowing entries. */
class ExpiringSet {
  private readonly entries = new Map<string, number>();

  add(secret: string, expiresAtMs: number): void {
    this.prune();
    if (this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(digest(secret), expiresAtMs);
  }

  has(secret: string): boolean {
    const expiresAtMs = this.entries.get(digest(secret));
    return expiresAtMs !== undefined && expiresAtMs > Date.now();
  }

  /** True once for a live entry, which is then gone. */
  take(secret: string): boolean {
    const key = digest(secret);
    const expiresAtMs = this.entries.get(key);
    this.entries.delete(key);
    return expiresAtMs !== undefined && expiresAtMs > Date.now();
  }

  /** Forgets an entry; true when it was live. */
  delete(secret: string): boolean {
    return this.take(secret);
  }

  private prune(): void {
    const now = Date.now();
    for (const [key, expiresAtMs] of this.entries) if (expiresAtMs <= now) this.entries.delete(key);
  }
}

export interface IssuedCode {
  code: string;
  expiresAtMs: number;
}

export class DashboardAuth {
  private readonly codes = new ExpiringSet();
  private readonly sessions = new ExpiringSet();
  /** What to do when a session ends (its open sockets close): session id → callbacks. */
  private readonly onEnd = new Map<string, Set<() => void>>();

  /**
   * The cookie name carries the port (set once the server listens): servers on other ports of
   * the same host, which share cookies, keep their own.
   */
  port = 0;

  get cookieName(): string {
    return `cc_executor_session_${this.port}`;
  }

  issueCode(): IssuedCode {
    const code = newSecret();
    const expiresAtMs = Date.now() + CODE_LIFETIME_MS;
    this.codes.add(code, expiresAtMs);
    return { code, expiresAtMs };
  }

  /** Trades a live code (once) for a new session id; null for a wrong, used or expired code. */
  redeem(code: string): string | null {
    if (!this.codes.take(code)) return null;
    const session = newSecret();
    this.sessions.add(session, Date.now() + SESSION_LIFETIME_MS);
    return session;
  }

  /** The Set-Cookie value for a session (HttpOnly, SameSite=Strict, Path=/). */
  cookieFor(session: string): string {
    const maxAgeSeconds = SESSION_LIFETIME_MS / 1000;
    return `${this.cookieName}=${session}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeSeconds}`;
  }

  /** Whether a Cookie header carries a live session of this server. */
  sessionValid(cookieHeader: string | undefined): boolean {
    return this.liveSession(cookieHeader) !== null;
  }

  /**
   * Log-out: the session the Cookie header carries ends here, in the server (a copy of the cookie
   * kept elsewhere opens nothing any more), and its open sockets are closed. False when the
   * header carried no live session.
   */
  endSession(cookieHeader: string | undefined): boolean {
    const session = this.liveSession(cookieHeader);
    if (session === null) return false;
    this.sessions.delete(session);
    const callbacks = this.onEnd.get(session);
    this.onEnd.delete(session);
    for (const callback of callbacks ?? []) callback();
    return true;
  }

  /**
   * Runs `callback` when the session this Cookie header carries ends by log-out (nothing when it
   * carries none). Returns the function that cancels it (the socket closed first).
   */
  whenEnded(cookieHeader: string | undefined, callback: () => void): () => void {
    const session = this.liveSession(cookieHeader);
    if (session === null) return () => {};
    const callbacks = this.onEnd.get(session) ?? new Set();
    this.onEnd.set(session, callbacks);
    callbacks.add(callback);
    return () => {
      callbacks.delete(callback);
      if (callbacks.size === 0 && this.onEnd.get(session) === callbacks) this.onEnd.delete(session);
    };
  }

  /** The Set-Cookie value that makes the browser drop the cookie. */
  get clearedCookie(): string {
    return `${this.cookieName}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`;
  }

  private liveSession(cookieHeader: string | undefined): string | null {
    if (!cookieHeader) return null;
    const prefix = `${this.cookieName}=`;
    for (const part of cookieHeader.split(";")) {
      const item = part.trim();
      const session = item.slice(prefix.length);
      if (item.startsWith(prefix) && this.sessions.has(session)) return session;
    }
    return null;
  }
}

/** `http://127.0.0.1:PORT/?code=…`: the link `server start` and `cc-executor dashboard` print. */
export function dashboardLoginUrl(baseUrl: string, code: string): string {
  return `${baseUrl}/?code=${encodeURIComponent(code)}`;
}
