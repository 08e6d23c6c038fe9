/**
 * Whether a failed Claude attempt is tried again, after how long, and why (DESIGN §6):
 * transient API trouble → exponential backoff with jitter; token limit → at once, with a prompt
 * asking for a more concise answer; a missing verification UUID → again; usage limit → fail,
 * or (when asked) wait until the reset time. Everything else fails at once.
 */
import { backoffMs } from "../protocol/backoff.js";
import type { ClaudeRetryParams } from "../protocol/notifications.js";
import type { RunFailure } from "./detectors.js";

export interface RetryPolicy {
  /** 1 + retries. */
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
  waitForUsageReset: boolean;
  maxUsageWaitMs: number;
}

export type RetryReason = ClaudeRetryParams["reason"];

export type RetryDecision =
  | { retry: true; delayMs: number; reason: RetryReason }
  | { retry: false; message: string };

/** Slack after a usage limit's reset time before trying again. */
export const USAGE_RESET_MARGIN_MS = 5_000;

/** Retries wait up to this fraction longer, at random, so that many runs do not retry in step. */
export const RETRY_JITTER = 0.25;

export function decideRetry(
  failure: RunFailure,
  failedAttempt: number,
  policy: RetryPolicy,
  nowMs: number,
  random: () => number = Math.random,
): RetryDecision {
  if (failure.kind === "usage_limit") return usageLimitDecision(failure, policy, nowMs);
  if (!failure.recoverable) return { retry: false, message: failure.message };
  if (failedAttempt >= policy.maxAttempts) {
    const tries = policy.maxAttempts === 1 ? "1 attempt" : `${policy.maxAttempts} attempts`;
    return { retry: false, message: `${failure.message} (gave up after ${tries})` };
  }
  if (failure.kind === "token_limit") return { retry: true, delayMs: 0, reason: "token_limit" };
  if (failure.kind === "uuid_missing") return { retry: true, delayMs: 0, reason: "uuid_missing" };
  return {
    retry: true,
    delayMs: backoffMs({
      attempt: failedAttempt,
      baseMs: policy.baseMs,
      maxMs: policy.maxMs,
      jitter: RETRY_JITTER,
      random,
    }),
    reason: "transient",
  };
}

function usageLimitDecision(
  failure: RunFailure,
  policy: RetryPolicy,
  nowMs: number,
): RetryDecision {
  if (!policy.waitForUsageReset) {
    return {
      retry: false,
      message: `${failure.message} Set wait_for_usage_reset to wait for the reset and try again.`,
    };
  }
  const resetAt = failure.resetAt ?? null;
  if (resetAt === null) {
    return { retry: false, message: `${failure.message} The reset time is unknown, so no wait.` };
  }
  const delayMs = Math.max(0, resetAt * 1000 - nowMs) + USAGE_RESET_MARGIN_MS;
  if (delayMs > policy.maxUsageWaitMs) {
    const hours = Math.round(policy.maxUsageWaitMs / 360_000) / 10;
    return {
      retry: false,
      message: `${failure.message} That is later than the longest wait allowed (${hours} h).`,
    };
  }
  return { retry: true, delayMs, reason: "usage_limit" };
}

/** The prompt of a retry after the token limit: the same task, asked for a shorter answer. */
export function concisePrompt(prompt: string, limit: number | null, retry: number): string {
  const cap = limit === null ? "the output-token limit" : `the ${limit}-token output limit`;
  const shorter = retry > 1 ? "much shorter than before" : "shorter";
  return (
    `${prompt}\n\nIMPORTANT: an earlier answer to this request exceeded ${cap} and was cut ` +
    `off. Answer again, ${shorter}: be concise, leave out repetition and detail that is not ` +
    "needed, and split large outputs (such as files) into several smaller steps."
  );
}

/** The prompt with a verification UUID the answer must end with (DESIGN §6). */
export function uuidPrompt(prompt: string, uuid: string): string {
  return (
    `${prompt}\n\nWhen you have finished, end your final answer with this verification ` +
    `code on its own line, exactly as written: ${uuid}`
  );
}
