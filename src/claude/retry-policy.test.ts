import { describe, expect, it } from "vitest";
import { backoffMs } from "../protocol/backoff.js";
import type { RunFailure } from "./detectors.js";
import {
  concisePrompt,
  decideRetry,
  RETRY_JITTER,
  type RetryPolicy,
  uuidPrompt,
} from "./retry-policy.js";

const policy: RetryPolicy = {
  maxAttempts: 3,
  baseMs: 1000,
  maxMs: 5000,
  waitForUsageReset: false,
  maxUsageWaitMs: 3600_000,
};
const transient: RunFailure = { kind: "rate_limit", recoverable: true, message: "429" };

describe("retry policy", () => {
  it("backs off exponentially with 0–25 % jitter, capped", () => {
    const policy = { baseMs: 1000, maxMs: 5000, jitter: RETRY_JITTER };
    expect(backoffMs({ ...policy, attempt: 1, random: () => 0 })).toBe(1000);
    expect(backoffMs({ ...policy, attempt: 2, random: () => 0 })).toBe(2000);
    expect(backoffMs({ ...policy, attempt: 3, random: () => 1 })).toBe(5000);
    expect(backoffMs({ ...policy, attempt: 9, random: () => 1 })).toBe(6250);
  });

  it("retries transient failures until the attempts run out", () => {
    expect(decideRetry(transient, 1, policy, 0, () => 0)).toEqual({
      retry: true,
      delayMs: 1000,
      reason: "transient",
    });
    const last = decideRetry(transient, 3, policy, 0);
    expect(last).toMatchObject({ retry: false });
    if (!last.retry) expect(last.message).toContain("gave up after 3 attempts");
  });

  it("retries the token limit and a missing UUID at once, never auth", () => {
    const token: RunFailure = { kind: "token_limit", recoverable: true, limit: 4096, message: "t" };
    expect(decideRetry(token, 1, policy, 0)).toEqual({
      retry: true,
      delayMs: 0,
      reason: "token_limit",
    });
    const uuid: RunFailure = { kind: "uuid_missing", recoverable: true, message: "u" };
    expect(decideRetry(uuid, 2, policy, 0)).toMatchObject({ retry: true, reason: "uuid_missing" });
    const auth: RunFailure = { kind: "auth", recoverable: false, message: "bad key" };
    expect(decideRetry(auth, 1, policy, 0)).toEqual({ retry: false, message: "bad key" });
  });

  it("fails a usage limit clearly, or waits for its reset when asked", () => {
    const usage: RunFailure = {
      kind: "usage_limit",
      recoverable: false,
      resetAt: 100,
      message: "limit.",
    };
    const failed = decideRetry(usage, 1, policy, 0);
    expect(failed).toMatchObject({ retry: false });
    if (!failed.retry) expect(failed.message).toContain("wait_for_usage_reset");
    const waiting = { ...policy, waitForUsageReset: true };
    expect(decideRetry(usage, 1, waiting, 40_000)).toEqual({
      retry: true,
      delayMs: 65_000,
      reason: "usage_limit",
    });
    expect(decideRetry({ ...usage, resetAt: 10_000 }, 1, waiting, 0)).toMatchObject({
      retry: false,
    });
    expect(decideRetry({ ...usage, resetAt: null }, 1, waiting, 0)).toMatchObject({ retry: false });
  });

  it("builds the concise and UUID prompts around the original", () => {
    expect(concisePrompt("Explain X.", 4096, 1)).toMatch(/^Explain X\.\n\n.*4096-token.*concise/s);
    expect(uuidPrompt("Hi", "u-1")).toMatch(/^Hi\n\n.*u-1$/s);
  });
});
