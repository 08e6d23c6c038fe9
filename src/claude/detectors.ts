/**
 * Recognises what went wrong in a Claude run from the CLI's own lines (docs/claude-cli.md):
 * output-token limit, rate limits (429/529 `api_retry`, a final "Request rejected (429)"),
 * subscription usage limits (`rate_limit_event` rejected, "You've hit your … limit · resets …"),
 * auth failures, the root refusal. API failures arrive as `subtype: "success"` with
 * `is_error: true`, so results are judged by `is_error`, status and text, never by subtype.
 */
import type { ClaudeFailure } from "../protocol/notifications.js";
import {
  type ApiRetry,
  type RateLimitEvent,
  type ResultEvent,
  resultText,
} from "../protocol/stream-json.js";
import { usageResetFromText } from "./usage-reset.js";

export type AuthMode = "subscription" | "api-key";

/** Something worth a notification while the run goes on. */
export type Detection =
  | {
      type: "rate_limit";
      errorType: "rate_limit" | "overloaded";
      status: number | null;
      retryAfterMs: number | null;
      message: string;
    }
  | { type: "usage_limit"; resetAt: number | null; message: string }
  | { type: "auth"; status: number | null; message: string }
  | { type: "token_limit"; limit: number | null; message: string }
  | { type: "root_refusal"; message: string };

/** Why an attempt failed, and whether trying again can help. */
export interface RunFailure {
  kind: ClaudeFailure;
  /** A sentence for people: what happened and what to do. */
  message: string;
  /** Another attempt may succeed (transient API trouble, token limit, missing UUID). */
  recoverable: boolean;
  status?: number | null;
  /** Token limit: the N of "exceeded the N output token maximum". */
  limit?: number | null;
  /** Usage limit: when it resets (epoch seconds), when known. */
  resetAt?: number | null;
}

const TOKEN_LIMIT = /exceeded the (\d+) output token maximum/i;
const ROOT_REFUSAL = /cannot be used with root\/sudo privileges/i;
const USAGE_LIMIT = /hit your .*limit|usage limit reached|usage limit/i;
const AUTH_TEXT =
  /invalid api key|not logged in|please run \/login|failed to authenticate|oauth token (?:has )?(?:expired|revoked)|authentication_error/i;
const RATE_LIMIT_TEXT = /request rejected \(429\)|rate limit/i;
const OVERLOADED_TEXT = /repeated 529|529 overloaded|overloaded/i;
const TRANSIENT_TEXT =
  /api error: 5\d\d|internal server error|request timed out|stream idle timeout|connection error|socket hang up|econnreset|fetch failed/i;

export const ROOT_REFUSAL_MESSAGE =
  "The Claude CLI refuses --dangerously-skip-permissions (permission_mode bypassPermissions) " +
  'as root. Use permission_mode "acceptEdits" with allowed_tools, run the server as another ' +
  "user, or set IS_SANDBOX=1 in env if this machine is a sandbox.";

export function authMessage(mode: AuthMode, text: string): string {
  const what = text.trim() || "authentication failed";
  if (mode === "api-key") {
    return (
      `Claude authentication failed (auth_mode "api-key"): ${what}. ` +
      "Check the ANTHROPIC_API_KEY the server or the request's env gives the CLI."
    );
  }
  return (
    `Claude authentication failed (auth_mode "subscription", ANTHROPIC_API_KEY removed): ` +
    `${what}. Log the CLI in as the server's user (run \`claude\`, then /login), ` +
    'or use auth_mode "api-key".'
  );
}

export function usageMessage(resetAt: number | null, text: string): string {
  const when =
    resetAt === null ? "at an unknown time" : `at ${new Date(resetAt * 1000).toISOString()}`;
  const said = text.trim() ? ` (${text.trim()})` : "";
  return `Claude usage limit reached; it resets ${when}${said}.`;
}

/** `system/api_retry`: the CLI is retrying by itself; say why. */
export function detectApiRetry(event: ApiRetry): Detection | null {
  const status = event.error_status ?? null;
  const retryAfterMs = event.retry_delay_ms ?? null;
  const after = retryAfterMs === null ? "" : `; the CLI retries in ${Math.round(retryAfterMs)} ms`;
  if (status === 429 || event.error === "rate_limit") {
    return {
      type: "rate_limit",
      errorType: "rate_limit",
      status: status ?? 429,
      retryAfterMs,
      message: `The Anthropic API answered 429 (rate limit)${after}.`,
    };
  }
  if (status === 529 || event.error === "overloaded") {
    return {
      type: "rate_limit",
      errorType: "overloaded",
      status: status ?? 529,
      retryAfterMs,
      message: `The Anthropic API answered 529 (overloaded)${after}.`,
    };
  }
  if (status === 401 || status === 403 || event.error === "authentication_failed") {
    return { type: "auth", status, message: `The Anthropic API answered ${status ?? "401"}.` };
  }
  return null;
}

/** `rate_limit_event` (subscription auth only): `rejected` is a usage limit with its reset. */
export function detectRateLimitEvent(event: RateLimitEvent): Detection | null {
  const info = event.rate_limit_info;
  if (info.status !== "rejected") return null;
  const resetAt = info.resetsAt ?? null;
  const kind = info.rateLimitType ? ` (${info.rateLimitType})` : "";
  return { type: "usage_limit", resetAt, message: usageMessage(resetAt, `limit${kind}`) };
}

/** Stderr of the CLI: the root refusal is only ever said there. */
export function detectStderr(text: string): Detection | null {
  return ROOT_REFUSAL.test(text) ? { type: "root_refusal", message: ROOT_REFUSAL_MESSAGE } : null;
}

/** What a result says went wrong; null for a successful result. */
export function classifyResult(
  result: ResultEvent,
  context: { authMode: AuthMode; usageResetAt: number | null; nowMs: number },
): RunFailure | null {
  if (!result.is_error) return null;
  const text = resultText(result);
  const status = result.api_error_status ?? null;
  const token = TOKEN_LIMIT.exec(text);
  if (token) {
    const limit = Number(token[1]);
    return {
      kind: "token_limit",
      limit,
      recoverable: true,
      message: `Claude's answer exceeded the ${limit} output-token maximum: ${text}`,
    };
  }
  if (result.subtype === "error_max_turns" || result.terminal_reason === "max_turns") {
    return { kind: "max_turns", recoverable: false, message: `Claude stopped: ${text}` };
  }
  if (context.usageResetAt !== null || (status === 429 && USAGE_LIMIT.test(text))) {
    const resetAt = context.usageResetAt ?? usageResetFromText(text, context.nowMs);
    return {
      kind: "usage_limit",
      resetAt,
      status,
      recoverable: false,
      message: usageMessage(resetAt, text),
    };
  }
  if (status === 401 || status === 403 || AUTH_TEXT.test(text)) {
    return {
      kind: "auth",
      status,
      recoverable: false,
      message: authMessage(context.authMode, text),
    };
  }
  if (USAGE_LIMIT.test(text) && !RATE_LIMIT_TEXT.test(text)) {
    const resetAt = usageResetFromText(text, context.nowMs);
    return {
      kind: "usage_limit",
      resetAt,
      status,
      recoverable: false,
      message: usageMessage(resetAt, text),
    };
  }
  if (status === 429 || RATE_LIMIT_TEXT.test(text)) {
    return {
      kind: "rate_limit",
      status: status ?? 429,
      recoverable: true,
      message: `The Anthropic API kept answering 429 (rate limit) and the CLI gave up: ${text}`,
    };
  }
  if (status === 529 || OVERLOADED_TEXT.test(text)) {
    return {
      kind: "rate_limit",
      status: status ?? 529,
      recoverable: true,
      message: `The Anthropic API is overloaded (529) and the CLI gave up: ${text}`,
    };
  }
  if ((status !== null && status >= 500) || TRANSIENT_TEXT.test(text)) {
    return {
      kind: "api_error",
      status,
      recoverable: true,
      message: `Anthropic API trouble (likely temporary): ${text}`,
    };
  }
  return {
    kind: result.terminal_reason === "api_error" ? "api_error" : "error",
    status,
    recoverable: false,
    message: `Claude reported an error (${result.subtype}): ${text || "no details"}`,
  };
}

/** The detection (for a notification) that a failed result stands for, if any. */
export function detectionOfFailure(failure: RunFailure): Detection | null {
  switch (failure.kind) {
    case "token_limit":
      return { type: "token_limit", limit: failure.limit ?? null, message: failure.message };
    case "usage_limit":
      return { type: "usage_limit", resetAt: failure.resetAt ?? null, message: failure.message };
    case "auth":
      return { type: "auth", status: failure.status ?? null, message: failure.message };
    case "rate_limit":
      return {
        type: "rate_limit",
        errorType: failure.status === 529 ? "overloaded" : "rate_limit",
        status: failure.status ?? null,
        retryAfterMs: null,
        message: failure.message,
      };
    default:
      return null;
  }
}
