/**
 * What a managed Claude run says and sends when an attempt is retried: the retry notice (why,
 * and when the next attempt starts), and the next attempt's prompt — asked for a shorter answer
 * after a token limit, with a fresh verification UUID when asked.
 */
import type { ClaudeNotice } from "../supervisor/execution/execution-event.js";
import type { RunFailure } from "./detectors.js";
import { concisePrompt, type RetryReason, uuidPrompt } from "./retry-policy.js";

/** `failed`: the attempt that failed; the one announced is the next. */
export function retryNotice(
  failed: number,
  maxAttempts: number,
  failure: RunFailure,
  decision: { delayMs: number; reason: RetryReason },
): ClaudeNotice {
  const next = failed + 1;
  return {
    kind: "retry",
    attempt: next,
    maxAttempts,
    delayMs: decision.delayMs,
    reason: decision.reason,
    message: `Attempt ${failed} failed (${failure.message}); attempt ${next} starts in ${decision.delayMs} ms.`,
  };
}

/** The prompt of attempt `next` (2, 3, …); `uuid` when its answer must carry one. */
export function retryPrompt(
  prompt: string,
  decision: { reason: RetryReason },
  failure: RunFailure,
  next: number,
  uuid: string | null,
): string {
  let text = prompt;
  if (decision.reason === "token_limit")
    text = concisePrompt(text, failure.limit ?? null, next - 1);
  if (uuid !== null) text = uuidPrompt(text, uuid);
  return text;
}
