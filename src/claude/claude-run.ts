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
import type {
  ClaudeCompletion,
  ProcessCompletedParams,
  ProcessStatusParams,
} from "../protocol/notifications.js";
import type { Execution } from "../supervisor/execution.js";
import type { ExecutionListener } from "../supervisor/execution-listener.js";
import type { AttemptEnd, ExecutionOwner, Settlement } from "../supervisor/execution-owner.js";
import type { SpawnSpec } from "../supervisor/group-child.js";
import type { OutputChunk } from "../supervisor/output-chunk.js";
import { AttemptState } from "./attempt-state.js";
import { detectionNotification, thinkingMessage } from "./claude-notifications.js";
import {
  type AuthMode,
  authMessage,
  classifyResult,
  type Detection,
  detectApiRetry,
  detectionOfFailure,
  detectRateLimitEvent,
  detectStderr,
  ROOT_REFUSAL_MESSAGE,
  type RunFailure,
} from "./detectors.js";
import { concisePrompt, decideRetry, type RetryPolicy, uuidPrompt } from "./retry-policy.js";
import { type ClaudeEvent, parseClaudeLine, toolCalls } from "./stream-json.js";

export interface ClaudeRunOptions {
  /** managed: `claude.execute` (retries, a run without result fails); passive: `execute`. */
  mode: "managed" | "passive";
  authMode: AuthMode;
  resultGraceMs: number;
  backgroundWaitMs: number;
  /** The user's prompt (managed runs build each attempt's prompt from it). */
  prompt: string;
  /** A fresh UUID per attempt that the answer must end with (managed runs). */
  verifyUuid: boolean;
  retry: RetryPolicy;
  /** The process of an attempt, given its full prompt (managed runs). */
  spawnFor(prompt: string): SpawnSpec;
  now?: () => number;
  random?: () => number;
  newUuid?: () => string;
}

export class ClaudeRun implements ExecutionListener, ExecutionOwner {
  private execution: Execution | null = null;
  private state = new AttemptState();
  private attempt = 1;
  /** Cost of the attempts before the current one. */
  private earlierCostUsd: number | null = null;
  private failure: RunFailure | null = null;
  private endTimer: NodeJS.Timeout | null = null;
  private pending: Array<{ method: string; params: object }> = [];
  private drainScheduled = false;
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

  event(): void {}

  completed(): void {
    this.clearEndTimer();
    this.execution?.removeListener(this);
  }

  // ExecutionOwner

  settle(ended: AttemptEnd): Settlement | null {
    this.clearEndTimer();
    for (const line of this.state.lines.end()) this.line(parseClaudeLine(line));
    this.drain();
    const state = this.state;
    if (this.options.mode === "passive") {
      if (!state.result) return null;
      this.failure = this.resultFailure();
      return this.failure
        ? { status: "failed", error: this.failure.message }
        : { status: "completed" };
    }
    const failure = this.attemptFailure(ended);
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
    const next = this.attempt + 1;
    this.emit("claude.retry", {
      execution_id: this.executionId,
      attempt: next,
      max_attempts: this.options.retry.maxAttempts,
      delay_ms: decision.delayMs,
      reason: decision.reason,
      message: `Attempt ${this.attempt} failed (${failure.message}); attempt ${next} starts in ${decision.delayMs} ms.`,
    });
    this.drain();
    this.earlierCostUsd = sumCost(this.earlierCostUsd, state.cost);
    this.attempt = next;
    this.state = new AttemptState();
    let prompt = this.options.prompt;
    if (decision.reason === "token_limit") {
      prompt = concisePrompt(prompt, failure.limit ?? null, next - 1);
    }
    if (this.options.verifyUuid) {
      this.uuid = this.freshUuid();
      prompt = uuidPrompt(prompt, this.uuid);
    }
    return { retry: { spawn: this.options.spawnFor(prompt), delayMs: decision.delayMs } };
  }

  complete(completion: ProcessCompletedParams): void {
    this.drain();
    const state = this.state;
    const result = state.result;
    if (this.options.mode === "passive" && !result && state.sessionId === null) return;
    const claude: ClaudeCompletion = {
      session_id: result?.session_id ?? state.sessionId,
      result: result?.result ?? null,
      is_error: result ? result.is_error || completion.status === "failed" : true,
      subtype: result?.subtype ?? null,
      cost_usd: sumCost(this.earlierCostUsd, state.cost),
      usage: result?.usage ?? null,
      num_turns: result?.num_turns ?? null,
      attempts: this.attempt,
    };
    if (this.options.verifyUuid) {
      claude.uuid_verified = this.uuid !== null && (result?.result ?? "").includes(this.uuid);
    }
    if (completion.status === "failed" && this.failure) claude.failure = this.failure.kind;
    completion.claude = claude;
  }

  status(params: ProcessStatusParams): void {
    params.message = thinkingMessage(this.state.activity, params.inactive_seconds, params.message);
  }

  // Parsing and detection

  private get executionId(): string {
    return this.execution?.id ?? "";
  }

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
          if (state.result && this.endTimer) this.armEnd();
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
      this.clearEndTimer(); // a new turn: its own result will come
      return;
    }
    if (this.endTimer) this.armEnd();
  }

  private resultDetections(): void {
    const failure = this.resultFailure();
    const detection = failure ? detectionOfFailure(failure) : null;
    if (detection) this.detected(detection);
  }

  private resultFailure(): RunFailure | null {
    const { result, usageResetAt, usageLimited } = this.state;
    if (!result) return null;
    return classifyResult(result, {
      authMode: this.options.authMode,
      usageResetAt: usageLimited ? usageResetAt : null,
      nowMs: this.now(),
    });
  }

  private attemptFailure(ended: AttemptEnd): RunFailure | null {
    const state = this.state;
    if (ended.error !== null) {
      return {
        kind: "error",
        recoverable: false,
        message: `${ended.error} (the Claude CLI: set CC_EXECUTOR_CLAUDE_BIN or put claude on the PATH)`,
      };
    }
    if (state.rootRefusal)
      return { kind: "root_refusal", recoverable: false, message: ROOT_REFUSAL_MESSAGE };
    if (state.authFailedFast) {
      const message = authMessage(this.options.authMode, "the API answered 401 (stopped early)");
      return { kind: "auth", recoverable: false, message };
    }
    if (!state.result) {
      const how = ended.signal ? `signal ${ended.signal}` : `exit code ${ended.exitCode}`;
      const stderr = state.stderrSummary();
      return {
        kind: "no_result",
        recoverable: false,
        message: `The Claude CLI ended without a result (${how})${stderr ? `: ${stderr}` : ""}`,
      };
    }
    const failure = this.resultFailure();
    if (failure) return failure;
    if (this.uuid !== null && !(state.result.result ?? "").includes(this.uuid)) {
      return {
        kind: "uuid_missing",
        recoverable: true,
        message: `The answer does not contain the verification UUID ${this.uuid}`,
      };
    }
    return null;
  }

  private detected(detection: Detection, repeatable = false): void {
    const state = this.state;
    if (!repeatable && state.notified.has(detection.type)) return;
    state.notified.add(detection.type);
    const { method, params } = detectionNotification(detection, {
      executionId: this.executionId,
      attempt: this.attempt,
      authMode: this.options.authMode,
      waitsForUsageReset:
        this.options.mode === "managed" &&
        this.options.retry.waitForUsageReset &&
        this.options.retry.maxAttempts > this.attempt,
    });
    this.emit(method, params);
  }

  /** Notifications wait for the end of the current read, so they follow the line they are about. */
  private emit(method: string, params: object): void {
    this.pending.push({ method, params });
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    queueMicrotask(() => this.drain());
  }

  private drain(): void {
    this.drainScheduled = false;
    const pending = this.pending;
    this.pending = [];
    for (const { method, params } of pending) this.execution?.notify(method, params);
  }

  // Ending after the result

  private armEnd(): void {
    this.clearEndTimer();
    const waitMs =
      this.state.backgroundTasks > 0 ? this.options.backgroundWaitMs : this.options.resultGraceMs;
    this.endTimer = setTimeout(() => this.endAfterResult(), waitMs);
  }

  private endAfterResult(): void {
    this.endTimer = null;
    const result = this.state.result;
    if (!result || !this.execution) return;
    this.execution.endWith(result.is_error ? "failed" : "completed", "result", 0);
  }

  private clearEndTimer(): void {
    if (this.endTimer) clearTimeout(this.endTimer);
    this.endTimer = null;
  }

  private freshUuid(): string {
    return this.options.newUuid?.() ?? globalThis.crypto.randomUUID();
  }
}

function sumCost(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.round((a + b) * 1e9) / 1e9;
}
