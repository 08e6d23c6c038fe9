/**
 * The pieces of MCP progress and results that need no process (DESIGN §13): what a task is doing
 * in words, progress that always rises, messages that fit Claude Code's 200 characters, and an
 * output tail that never splits a character.
 */
import { describe, expect, it } from "vitest";
import { ListProgress } from "../src/mcp/list-progress.js";
import { OutputTail } from "../src/mcp/output-tail.js";
import { clip, ProgressReporter, progressIntervalFromEnv } from "../src/mcp/progress-reporter.js";
import { StepActivity } from "../src/mcp/step-activity.js";

describe("StepActivity", () => {
  it("follows a Claude run through tools, retries and a usage-limit wait", () => {
    const activity = new StepActivity("claude", Date.now() - 45_000);
    expect(activity.describe()).toBe("Claude starting, 45 s");
    activity.stdout('{"type":"system","subtype":"init","session_id":"s"}\n');
    expect(activity.describe()).toMatch(/^Claude thinking, 4[56] s$/);
    activity.stdout(
      '{"type":"assistant","message":{"content":[{"type":"tool_use","name":"Bash","input":{}}]}}\n',
    );
    expect(activity.describe()).toMatch(/^Claude using Bash/);
    activity.notice("error.rate_limit_exceeded", { error_type: "rate_limit", retry_after: 5 });
    expect(activity.describe()).toMatch(/^retrying after a rate limit/);
    const reset = Date.UTC(2030, 0, 1, 14, 5) / 1000;
    activity.notice("error.rate_limit_exceeded", {
      error_type: "usage_limit",
      reset_timestamp: reset,
      recoverable: true,
    });
    expect(activity.describe()).toMatch(/^waiting for the usage reset at 14:05 UTC/);
    activity.notice("claude.retry", { attempt: 2, max_attempts: 3, reason: "uuid_missing" });
    expect(activity.describe()).toMatch(/^retrying, UUID missing \(attempt 2\/3\)/);
    activity.notice("process.started", {});
    expect(activity.describe()).toMatch(/^Claude thinking/);
  });

  it("says Claude is writing while the answer streams (partial messages)", () => {
    const activity = new StepActivity("claude");
    activity.stdout('{"type":"system","subtype":"init","session_id":"s"}\n');
    activity.stdout('{"type":"stream_event","event":{"type":"message_start","message":{}}}\n');
    expect(activity.describe()).toMatch(/^Claude thinking/);
    activity.stdout(
      '{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}}\n',
    );
    expect(activity.describe()).toMatch(/^Claude writing, \d+ s$/);
  });

  it("says running for a command, whatever it prints", () => {
    const activity = new StepActivity("command");
    activity.stdout('{"type":"system","subtype":"init","session_id":"s"}\n');
    expect(activity.describe()).toMatch(/^running, \d+ s$/);
  });
});

describe("ProgressReporter", () => {
  it("raises a value that would not rise, and clips messages to 199 characters", async () => {
    const sent: Array<{ progress: number; message: string }> = [];
    const reporter = new ProgressReporter(
      async (params) => {
        sent.push(params);
      },
      () => ({ progress: 2, total: 5, message: "x".repeat(500) }),
      10_000,
    );
    reporter.report();
    reporter.report();
    reporter.report();
    expect(sent.map((p) => p.progress)).toEqual([2, expect.any(Number), expect.any(Number)]);
    expect(sent[1]?.progress).toBeGreaterThan(2);
    expect(sent[2]?.progress).toBeGreaterThan(sent[1]?.progress as number);
    expect(sent[0]?.message.length).toBe(199);
    expect(clip("a\n  b")).toBe("a b");
  });

  it("never waits longer than 10 s between notifications", () => {
    expect(progressIntervalFromEnv({})).toBe(10_000);
    expect(progressIntervalFromEnv({ CC_EXECUTOR_MCP_PROGRESS_INTERVAL_MS: "200" })).toBe(200);
    expect(progressIntervalFromEnv({ CC_EXECUTOR_MCP_PROGRESS_INTERVAL_MS: "60000" })).toBe(10_000);
  });
});

describe("ListProgress", () => {
  it("counts finished tasks plus a share of the current one, with cost so far", () => {
    const progress = new ListProgress();
    progress.begin(12, 3);
    expect(progress.snapshot()).toEqual({ progress: 2, total: 12, message: "2/12 tasks done" });
  });
});

describe("OutputTail", () => {
  it("keeps the last bytes, starting at a whole character", () => {
    const tail = new OutputTail(10);
    tail.push("ééééééééé"); // 18 bytes
    expect(tail.truncated).toBe(true);
    expect(tail.toString()).toBe("ééééé");
    const short = new OutputTail(10);
    short.push("abc");
    expect(short.truncated).toBe(false);
    expect(short.toString()).toBe("abc");
  });
});
