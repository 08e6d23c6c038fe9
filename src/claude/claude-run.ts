/**
 * One Claude run, attached to its Execution as listener and owner (docs/claude.md).
 *
 * It parses the CLI's stdout lines as they arrive, says what it detects (`error.*`
 * notifications), and decides what exit codes cannot:
 * - **Completion is the `result` event.** After a result the CLI gets `resultGraceMs` to exit;
 *   then its group is ended (TERM, KILL after the kill grace) with the status the result gave.
 *   A run with background tasks prints a result, keeps running, then starts a new turn (a new
 *   `system/init`) and prints another result: while background tasks are pending the wait is
 *   `backgroundWaitMs` instead, and any line after a result re-arms the wait (a new init
 *   cancels it until the next result). The last result is the run's result.
 * - **Retries** (managed runs) are new processes of the same execution: `claude.retry` says so,
 *   output seq continues, and the one `process.completed` reflects the last attempt.
 * - `process.completed.claude` gets session, result, cost over all attempts, usage, turns.
 *
 * A passive run (`execute` of a command line starting with `claude`) gets completion on the
 * result and detections, but no retries, and a run without any result ends by its exit code.
 */
import { type ClaudeEvent, parseClaudeLine, toolCalls } from "../protocol/stream-json.js";
import type { Execution } from "../supervisor/execution/execution.js";
import type { SilenceReport } from "../supervisor/execution/execution-event.js";
import type { ExecutionListener } from "../supervisor/execution/execution-listener.js";
import type {
  AttemptEnd,
  ExecutionOwner,
  OwnerSummary,
  Settlement,
} from "../supervisor/execution/execution-owner.js";
import type { ExecutionResult } from "../supervisor/execution/execution-result.js";
import type { OutputChunk } from "../supervisor/output/output-chunk.js";
import { attemptFailure, resultFailure } from "./attempt-failure.js";
import { AttemptState } from "./attempt-state.js";
import { detectionNotice, thinkingMessage } from "./claude-notices.js";
import { retryNotice, retryPrompt } from "./claude-retry.js";
import type { ClaudeRunOptions } from "./claude-run-options.js";
import { claudeSummary, sumCost } from "./claude-summary.js";
import { DeferredNotices } from "./deferred-notices.js";
import {
  authMessage,
  type Detection,
  detectApiRetry,
  detectionOfFailure,
  detectRateLimitEvent,
  detectStderr,
  type RunFailure,
} from "./detectors.js";
import { ResultEndTimer } from "./result-end-timer.js";
import { decideRetry, uuidPrompt } from "./retry-policy.js";

export class ClaudeRun implements ExecutionListener, ExecutionOwner {
  private execution: Execution | null = null;
  private state = new AttemptState();
  private attempt = 1;
  /** Cost of the attempts before the current one. */
  private earlierCostUsd: number | null = null;
  private failure: RunFailure | null = null;
  private readonly endTimer = new ResultEndTimer(() => this.endAfterResult());
  private readonly notices = new DeferredNotices((notice) =>
    this.execution?.emit({ type: "claude", notice }),
  );
  private readonly now: () => number;
  /** The UUID of the current attempt (verify_uuid). */
  uuid: string | null = null;

  constructor(private readonly options: ClaudeRunOptions) {
    this.now = options.now ?? Date.now;
    if (options.verifyUuid) this.uuid = this.freshUuid();
  }

  /** The prompt of the first attempt (with the verification UUID when asked). */
  get firstPrompt(): string {
    return this.uuid === null ? this.options.prompt : uuidPrompt(this.options.prompt, this.uuid);
  }

  /** Listens to the execution and owns its decisions; call before it starts. */
  attach(execution: Execution): void {
    this.execution = execution;
    execution.addListener(this);
    execution.setOwner(this);
  }

  // ExecutionListener

  output(chunk: OutputChunk): void {
    const state = this.state;
    if (chunk.stream === "stderr") {
      this.stderr(state.stderrText.decode(chunk.raw, { stream: true }));
      return;
    }
    const text = state.stdoutText.decode(chunk.raw, { stream: true });
    for (const line of state.lines.push(text)) this.line(parseClaudeLine(line));
  }

  ended(): void {
    this.endTimer.clear();
    this.execution?.removeListener(this);
  }

  // ExecutionOwner

  settle(ended: AttemptEnd): Settlement | null {
    this.endTimer.clear();
    for (const line of this.state.lines.end()) this.line(parseClaudeLine(line));
    this.notices.drain();
    const state = this.state;
    if (this.options.mode === "passive") {
      if (!state.result) return null;
      this.failure = this.resultFailure();
      return this.failure
        ? { status: "failed", error: this.failure.message }
        : { status: "completed" };
    }
    const failure = attemptFailure(ended, state, {
      authMode: this.options.authMode,
      uuid: this.uuid,
      now: this.now,
    });
    this.failure = failure;
    if (!failure) return { status: "completed" };
    const decision = decideRetry(
      failure,
      this.attempt,
      this.options.retry,
      this.now(),
      this.options.random,
    );
    if (!decision.retry) return { status: "failed", error: decision.message };
    const { maxAttempts } = this.options.retry;
    this.notices.push(retryNotice(this.attempt, maxAttempts, failure, decision));
    this.notices.drain();
    this.earlierCostUsd = sumCost(this.earlierCostUsd, state.cost);
    this.attempt++;
    this.state = new AttemptState();
    const uuid = this.options.verifyUuid ? this.freshUuid() : null;
    if (uuid !== null) this.uuid = uuid;
    const prompt = retryPrompt(this.options.prompt, decision, failure, this.attempt, uuid);
    return { retry: { spawn: this.options.spawnFor(prompt), delayMs: decision.delayMs } };
  }

  summarize(ended: ExecutionResult): OwnerSummary | null {
    this.notices.drain();
    const state = this.state;
    if (this.options.mode === "passive" && !state.result && state.sessionId === null) return null;
    const claude = claudeSummary(state, ended, {
      earlierCostUsd: this.earlierCostUsd,
      attempts: this.attempt,
      verifyUuid: this.options.verifyUuid,
      uuid: this.uuid,
      failure: this.failure,
    });
    return { claude };
  }

  silenceMessage(report: SilenceReport): string {
    return thinkingMessage(this.state.activity, report.silentSeconds, report.message);
  }

  // Parsing and detection

  private stderr(text: string): void {
    const state = this.state;
    state.addStderr(text);
    if (state.rootRefusal) return;
    const detection = detectStderr(state.stderrTail);
    if (detection) {
      state.rootRefusal = true;
      this.detected(detection);
    }
  }

  private line(parsed: ClaudeEvent): void {
    const state = this.state;
    if (state.result && parsed.kind !== "result") this.continuedAfterResult(parsed);
    switch (parsed.kind) {
      case "init":
        state.sessionId = parsed.event.session_id;
        state.activity = "thinking";
        return;
      case "api_retry":
        return this.apiRetry(parsed.event.error_status ?? null, detectApiRetry(parsed.event));
      case "system":
        if (parsed.event.subtype === "background_tasks_changed") {
          const tasks = parsed.event.tasks;
          state.backgroundTasks = Array.isArray(tasks) ? tasks.length : 0;
          if (state.result && this.endTimer.armed) this.armEnd();
        }
        return;
      case "assistant": {
        const tools = toolCalls(parsed.event);
        state.activity =
          tools.length > 0 ? `tool:${tools.map((t) => t.name).join(", ")}` : "thinking";
        return;
      }
      case "user":
        state.activity = "thinking";
        return;
      case "rate_limit": {
        const detection = detectRateLimitEvent(parsed.event);
        if (detection?.type === "usage_limit") {
          state.usageLimited = true;
          state.usageResetAt = detection.resetAt;
          this.detected(detection);
        }
        return;
      }
      case "result":
        state.result = parsed.event;
        state.resultCount++;
        state.activity = "answered";
        if (parsed.event.session_id) state.sessionId = parsed.event.session_id;
        this.resultDetections();
        this.armEnd();
        return;
      default:
        return;
    }
  }

  private apiRetry(status: number | null, detection: Detection | null): void {
    const state = this.state;
    state.activity = `api:${status ?? "no answer"}`;
    if (!detection) return;
    if (detection.type !== "auth") {
      this.detected(detection, true);
      return;
    }
    state.authRetries++;
    // Retrying cannot fix a wrong key: stop at once instead of the CLI's ≈190 s of retries. A
    // subscription login may refresh its token once, so it gets one more try.
    const limit = this.options.authMode === "api-key" ? 1 : 2;
    if (this.options.mode !== "managed" || state.authRetries < limit) return;
    const message = authMessage(this.options.authMode, `the API answered ${status ?? 401}`);
    this.detected({ type: "auth", status, message });
    state.authFailedFast = true;
    this.execution?.endWith("failed", "auth", 0);
  }

  /** A line after a result: the CLI is still working (background tasks, a new turn). */
  private continuedAfterResult(parsed: ClaudeEvent): void {
    if (parsed.kind === "init") {
      this.endTimer.clear(); // a new turn: its own result will come
      return;
    }
    if (this.endTimer.armed) this.armEnd();
  }

  private resultDetections(): void {
    const failure = this.resultFailure();
    const detection = failure ? detectionOfFailure(failure) : null;
    if (detection) this.detected(detection);
  }

  private resultFailure(): RunFailure | null {
    return resultFailure(this.state, this.options.authMode, this.now);
  }

  private detected(detection: Detection, repeatable = false): void {
    const state = this.state;
    if (!repeatable && state.notified.has(detection.type)) return;
    state.notified.add(detection.type);
    const notice = detectionNotice(detection, {
      attempt: this.attempt,
      authMode: this.options.authMode,
      waitsForUsageReset:
        this.options.mode === "managed" &&
        this.options.retry.waitForUsageReset &&
        this.options.retry.maxAttempts > this.attempt,
    });
    this.notices.push(notice);
  }

  // Ending after the result

  private armEnd(): void {
    const waitMs =
      this.state.backgroundTasks > 0 ? this.options.backgroundWaitMs : this.options.resultGraceMs;
    this.endTimer.arm(waitMs);
  }

  private endAfterResult(): void {
    const result = this.state.result;
    if (!result || !this.execution) return;
    this.execution.endWith(result.is_error ? "failed" : "completed", "result", 0);
  }

  private freshUuid(): string {
    return this.options.newUuid?.() ?? globalThis.crypto.randomUUID();
  }
}
