/**
 * Wire forms of what a Claude run detects (docs/protocol.md): the `error.*` notifications, and
 * the `process.status` wording that says the model is thinking rather than the process hung.
 */
import type {
  AuthFailedParams,
  RateLimitParams,
  RootRefusalParams,
  TokenLimitParams,
} from "../protocol/notifications.js";
import type { AuthMode, Detection } from "./detectors.js";

export interface NotificationContext {
  executionId: string;
  attempt: number;
  authMode: AuthMode;
  /** Whether a usage limit will be waited out (wait_for_usage_reset with retries). */
  waitsForUsageReset: boolean;
}

export function detectionNotification(
  detection: Detection,
  context: NotificationContext,
): { method: string; params: object } {
  const { executionId: execution_id, attempt } = context;
  switch (detection.type) {
    case "token_limit": {
      const params: TokenLimitParams = {
        execution_id,
        limit: detection.limit,
        recoverable: true,
        message: detection.message,
        attempt,
      };
      return { method: "error.token_limit_exceeded", params };
    }
    case "rate_limit": {
      const params: RateLimitParams = {
        execution_id,
        error_type: detection.errorType,
        status: detection.status,
        recoverable: true,
        message: detection.message,
        attempt,
      };
      if (detection.retryAfterMs !== null) {
        params.retry_after = Math.round(detection.retryAfterMs) / 1000;
      }
      return { method: "error.rate_limit_exceeded", params };
    }
    case "usage_limit": {
      const params: RateLimitParams = {
        execution_id,
        error_type: "usage_limit",
        status: 429,
        recoverable: context.waitsForUsageReset,
        message: detection.message,
        attempt,
      };
      if (detection.resetAt !== null) params.reset_timestamp = detection.resetAt;
      return { method: "error.rate_limit_exceeded", params };
    }
    case "auth": {
      const params: AuthFailedParams = {
        execution_id,
        auth_mode: context.authMode,
        status: detection.status,
        recoverable: false,
        message: detection.message,
        attempt,
      };
      return { method: "error.auth_failed", params };
    }
    case "root_refusal": {
      const params: RootRefusalParams = {
        execution_id,
        recoverable: false,
        message: detection.message,
      };
      return { method: "error.root_refusal", params };
    }
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
