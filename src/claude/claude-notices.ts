/**
 * What a Claude run tells about what it detects (docs/protocol.md, `error.*`): a ClaudeNotice
 * for each detection, and the silence message that says the model is thinking rather than the
 * process hung.
 */
import type { ClaudeNotice } from "../supervisor/execution/execution-event.js";
import type { AuthMode, Detection } from "./detectors.js";

export interface NoticeContext {
  attempt: number;
  authMode: AuthMode;
  /** Whether a usage limit will be waited out (wait_for_usage_reset with retries). */
  waitsForUsageReset: boolean;
}

export function detectionNotice(detection: Detection, context: NoticeContext): ClaudeNotice {
  const { attempt } = context;
  switch (detection.type) {
    case "token_limit":
      return { kind: "token_limit", limit: detection.limit, message: detection.message, attempt };
    case "rate_limit": {
      const notice: ClaudeNotice = {
        kind: "rate_limit",
        errorType: detection.errorType,
        status: detection.status,
        recoverable: true,
        message: detection.message,
        attempt,
      };
      if (detection.retryAfterMs !== null) notice.retryAfterMs = detection.retryAfterMs;
      return notice;
    }
    case "usage_limit": {
      const notice: ClaudeNotice = {
        kind: "rate_limit",
        errorType: "usage_limit",
        status: 429,
        recoverable: context.waitsForUsageReset,
        message: detection.message,
        attempt,
      };
      if (detection.resetAt !== null) notice.resetTimestamp = detection.resetAt;
      return notice;
    }
    case "auth":
      return {
        kind: "auth_failed",
        authMode: context.authMode,
        status: detection.status,
        message: detection.message,
        attempt,
      };
    case "root_refusal":
      return { kind: "root_refusal", message: detection.message };
  }
}

const GENERIC_STATUS = /^Process is still running; no output for \d+s \(it may be thinking\)\.\s*/;

/** The status message for a silent Claude run, from what the CLI did last. */
export function thinkingMessage(activity: string, silentSeconds: number, base: string): string {
  const rest = base.replace(GENERIC_STATUS, "");
  const quiet = `no output for ${silentSeconds}s`;
  const sentence = (() => {
    if (activity === "starting") return `The Claude CLI is starting; ${quiet}.`;
    if (activity === "answered")
      return `Claude has answered; waiting for the CLI to exit (${quiet}).`;
    if (activity.startsWith("tool:")) {
      return `Claude is running the ${activity.slice(5)} tool; ${quiet} (still working).`;
    }
    if (activity.startsWith("api:")) {
      return `The Claude CLI is waiting to retry the API (${activity.slice(4)}); ${quiet}.`;
    }
    return `Claude is thinking; ${quiet} (the model has not answered yet, this is normal).`;
  })();
  return rest ? `${sentence} ${rest}` : sentence;
}
