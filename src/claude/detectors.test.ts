/** Failure detection from the CLI's real lines (docs/claude-cli.md transcripts). */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type ClaudeEvent, parseClaudeLine, type ResultEvent } from "../protocol/stream-json.js";
import { classifyResult, detectApiRetry, detectRateLimitEvent, detectStderr } from "./detectors.js";

const transcripts = new URL("../../test/fixtures/fake-claude/transcripts/", import.meta.url);

function events(name: string): ClaudeEvent[] {
  return readFileSync(new URL(`${name}.jsonl`, transcripts), "utf8")
    .split("\n")
    .filter(Boolean)
    .map(parseClaudeLine);
}

function result(name: string): ResultEvent {
  const last = events(name)
    .filter((e) => e.kind === "result")
    .at(-1);
  if (last?.kind !== "result") throw new Error(`${name} has no result`);
  return last.event;
}

const context = { authMode: "api-key" as const, usageResetAt: null, nowMs: Date.UTC(2026, 0, 1) };

describe("classifyResult", () => {
  it.each([
    ["success", null],
    ["write-tool", null],
    ["api-retry-429-then-success", null],
  ])("%s is a success", (name, expected) => {
    expect(classifyResult(result(name), context)).toBe(expected);
  });

  it.each([
    ["max-output-tokens", "token_limit", true],
    ["rate-limit-429-exhausted", "rate_limit", true],
    ["overloaded-529-exhausted", "rate_limit", true],
    ["server-error-500", "api_error", true],
    ["request-timeout", "api_error", true],
    ["stream-idle-timeout", "api_error", true],
    ["auth-401-invalid-key", "auth", false],
    ["not-logged-in", "auth", false],
    ["usage-limit-subscription", "usage_limit", false],
    ["max-turns", "max_turns", false],
    ["resume-not-found", "error", false],
  ])("%s → %s (recoverable %s)", (name, kind, recoverable) => {
    const failure = classifyResult(result(name), context);
    expect(failure?.kind).toBe(kind);
    expect(failure?.recoverable).toBe(recoverable);
    expect(failure?.message.length).toBeGreaterThan(20);
  });

  it("reads the token limit and explains auth failures per mode", () => {
    expect(classifyResult(result("max-output-tokens"), context)?.limit).toBe(4096);
    const apiKey = classifyResult(result("auth-401-invalid-key"), context)?.message ?? "";
    expect(apiKey).toContain("Invalid API key");
    expect(apiKey).toContain("ANTHROPIC_API_KEY");
    const login = classifyResult(result("not-logged-in"), { ...context, authMode: "subscription" });
    expect(login?.message).toMatch(/subscription.*\/login/s);
  });

  it("takes the usage-limit reset from the rate_limit_event when there was one", () => {
    const limit = events("usage-limit-subscription").find((e) => e.kind === "rate_limit");
    if (limit?.kind !== "rate_limit") throw new Error("no rate_limit_event");
    const detection = detectRateLimitEvent(limit.event);
    expect(detection).toMatchObject({ type: "usage_limit", resetAt: 1795255131 });
    const failure = classifyResult(result("usage-limit-subscription"), {
      ...context,
      usageResetAt: 1795255131,
    });
    expect(failure).toMatchObject({ kind: "usage_limit", resetAt: 1795255131 });
    expect(failure?.message).toContain(new Date(1795255131 * 1000).toISOString());
  });

  it("falls back to the reset time in the text", () => {
    const failure = classifyResult(result("usage-limit-subscription"), context);
    expect(failure?.resetAt).toBe(Date.UTC(2026, 0, 1, 9, 58) / 1000);
  });
});

describe("event detectors", () => {
  it("says 429 and 529 api_retry events are rate limits, 401 is auth, 500 nothing", () => {
    const retries = [
      ...events("api-retry-429-then-success"),
      ...events("api-retry-529-then-success"),
    ].filter((e) => e.kind === "api_retry");
    const detections = retries.map((e) =>
      e.kind === "api_retry" ? detectApiRetry(e.event) : null,
    );
    expect(detections.map((d) => d?.type === "rate_limit" && d.errorType)).toEqual([
      "rate_limit",
      "overloaded",
    ]);
    expect(
      detectApiRetry({
        type: "system",
        subtype: "api_retry",
        error_status: 401,
        error: "authentication_failed",
      }),
    ).toMatchObject({ type: "auth", status: 401 });
    expect(
      detectApiRetry({
        type: "system",
        subtype: "api_retry",
        error_status: 500,
        error: "server_error",
      }),
    ).toBeNull();
  });

  it("ignores allowed rate_limit_events", () => {
    const event = events("rate-limit-warning-subscription").find((e) => e.kind === "rate_limit");
    if (event?.kind !== "rate_limit") throw new Error("no rate_limit_event");
    expect(detectRateLimitEvent(event.event)).toBeNull();
  });

  it("finds the root refusal on stderr", () => {
    const stderr =
      "--dangerously-skip-permissions cannot be used with root/sudo privileges for security reasons\n";
    expect(detectStderr(stderr)?.type).toBe("root_refusal");
    expect(detectStderr("something else")).toBeNull();
  });
});
