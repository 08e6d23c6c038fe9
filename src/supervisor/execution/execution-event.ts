/**
 * What happens to an execution while it runs, as one discriminated union: what the supervisor
 * sees (started, paused, resumed, canceled, a spawn error, silence) and what its owner (a Claude
 * run) announces (detections, retries). Listeners switch on `type`; the server alone turns events
 * into `process.*`, `error.*` and `claude.retry` notifications (server/wire/).
 */

export type ExecutionEvent =
  /** `workerId`: the worker that runs it (DESIGN §12); absent for this machine ("local"). */
  | { type: "started"; pid: number; pgid: number; workerId?: string }
  | { type: "paused" }
  | { type: "resumed" }
  | { type: "canceled" }
  /** The process could not be started (a failed result follows). */
  | { type: "spawn_failed"; error: string }
  /** No output for a while, or past the usual time of this command. */
  | { type: "silent"; report: SilenceReport }
  | { type: "claude"; notice: ClaudeNotice };

export interface SilenceReport {
  pid: number;
  pgid: number;
  silentSeconds: number;
  message: string;
  cpuPercent: number | null;
  rssBytes: number | null;
  /** How long runs of this command usually take (from history), when known. */
  estimatedSeconds?: number;
  /** The run has gone past that usual time. */
  exceedsUsualTime?: true;
}

/** What a Claude run detected or decided while it ran (docs/claude.md). */
export type ClaudeNotice =
  | { kind: "token_limit"; limit: number | null; message: string; attempt: number }
  | {
      kind: "rate_limit";
      errorType: "rate_limit" | "overloaded" | "usage_limit";
      /** HTTP status when known (429, 529). */
      status: number | null;
      /** Until the CLI's own next try. */
      retryAfterMs?: number;
      /** Epoch seconds when a usage limit resets. */
      resetTimestamp?: number;
      recoverable: boolean;
      message: string;
      attempt: number;
    }
  | {
      kind: "auth_failed";
      authMode: "subscription" | "api-key";
      status: number | null;
      message: string;
      attempt: number;
    }
  | { kind: "root_refusal"; message: string }
  | {
      kind: "retry";
      /** The attempt about to start (2, 3, …). */
      attempt: number;
      maxAttempts: number;
      delayMs: number;
      reason: "transient" | "token_limit" | "usage_limit" | "uuid_missing";
      message: string;
    };
