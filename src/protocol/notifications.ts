/** Notification parameter shapes (DESIGN §4). Every execution notification carries execution_id. */
import type { HookWarningParams } from "./hooks.js";
import type { FinalStatus } from "./methods.js";
import type { TaskCompletedParams, TasklistCompletedParams, TaskStartedParams } from "./tasks.js";

export type OutputStream = "stdout" | "stderr";

export interface ConnectedParams {
  session_id: string;
  version: string;
  capabilities: string[];
}

export interface ProcessStartedParams {
  execution_id: string;
  pid: number;
  pgid: number;
  /** Where it runs: a worker's name (DESIGN §12), or "local". */
  worker_id: string;
}

export interface ProcessOutputParams {
  execution_id: string;
  seq: number;
  type: OutputStream;
  data: string;
  /** Always false: cc-executor never drops live output (kept for wire compatibility). */
  truncated: boolean;
  /** One read of the child, when larger than one notification, is split into total_chunks parts. */
  chunk_index: number;
  total_chunks: number;
  /** Present (as "base64") only when the execution asked for output_encoding base64. */
  encoding?: "base64";
}

export interface ProcessCompletedParams {
  execution_id: string;
  status: FinalStatus;
  exit_code: number | null;
  signal: string | null;
  /** Seconds, as the original protocol reported it. */
  execution_time: number;
  duration_ms: number;
  last_seq: number;
  stdout_bytes: number;
  stderr_bytes: number;
  /** Where it ran: a worker's name (DESIGN §12), or "local". */
  worker_id: string;
  error?: string;
  /** Set when the status is timed_out: which limit fired. */
  timeout_kind?: "wall" | "idle";
  /** Claude runs only (DESIGN §6, docs/claude.md). */
  claude?: ClaudeCompletion;
}

/** `process.completed.claude`: what the run's last `result` event said, over all its attempts. */
export interface ClaudeCompletion {
  session_id: string | null;
  /** The text of the last `result` (the last assistant turn), null when there was none. */
  result?: string | null;
  is_error: boolean;
  /** The result's subtype (`success`, `error_max_turns`, …); null when no result came. */
  subtype: string | null;
  /** What all attempts cost together (sum of each attempt's last `total_cost_usd`). */
  cost_usd: number | null;
  usage: Record<string, unknown> | null;
  num_turns: number | null;
  /** How many processes ran (1 + retries used). */
  attempts?: number;
  /** With verify_uuid: whether the final result contains the UUID. */
  uuid_verified?: boolean;
  /** Why the run failed, when it did (see docs/claude.md). */
  failure?: ClaudeFailure;
}

export type ClaudeFailure =
  | "no_result"
  | "api_error"
  | "token_limit"
  | "rate_limit"
  | "usage_limit"
  | "auth"
  | "root_refusal"
  | "uuid_missing"
  | "max_turns"
  | "error";

/** `error.token_limit_exceeded`: the answer hit the output-token maximum. */
export interface TokenLimitParams {
  execution_id: string;
  /** N of "exceeded the N output token maximum", when the text says it. */
  limit: number | null;
  recoverable: true;
  message: string;
  attempt: number;
}

/** `error.rate_limit_exceeded`: 429/529 from the API, or a subscription usage limit. */
export interface RateLimitParams {
  execution_id: string;
  error_type: "rate_limit" | "overloaded" | "usage_limit";
  /** HTTP status when known (429, 529). */
  status: number | null;
  /** Seconds until the CLI's own next try (api_retry events). */
  retry_after?: number;
  /** Epoch seconds when a usage limit resets. */
  reset_timestamp?: number;
  recoverable: boolean;
  message: string;
  attempt: number;
}

/** `error.auth_failed`: the CLI could not authenticate (bad key, not logged in, 401/403). */
export interface AuthFailedParams {
  execution_id: string;
  auth_mode: "subscription" | "api-key";
  status: number | null;
  recoverable: false;
  message: string;
  attempt: number;
}

/** `error.root_refusal`: the CLI refused to bypass permissions as root. */
export interface RootRefusalParams {
  execution_id: string;
  recoverable: false;
  message: string;
}

/** `claude.retry`: this attempt failed recoverably; another process starts after `delay_ms`. */
export interface ClaudeRetryParams {
  execution_id: string;
  /** The attempt about to start (2, 3, …). */
  attempt: number;
  max_attempts: number;
  delay_ms: number;
  reason: "transient" | "token_limit" | "usage_limit" | "uuid_missing";
  message: string;
}

export interface ProcessStatusParams {
  execution_id: string;
  status: "running";
  pid: number;
  pgid: number;
  inactive_seconds: number;
  message: string;
  cpu_percent: number | null;
  rss_bytes: number | null;
  /** How long runs of this command usually take (from history), when known. */
  estimated_seconds?: number;
  /** Present (true) when this run has gone past that usual time. */
  exceeds_usual_time?: true;
}

export interface ProcessGapParams {
  execution_id: string;
  /** Output seqs from_seq..to_seq (inclusive) were dropped by the spool cap and cannot be replayed. */
  from_seq: number;
  to_seq: number;
}

export interface HeartbeatParams {
  timestamp: number;
  session_id: string;
  status: "alive";
}

export interface ExecutionRefParams {
  execution_id: string;
}

export interface ProcessErrorParams {
  execution_id: string;
  error: string;
}

export interface ServerShutdownParams {
  reason: string;
}

/** Method name → parameter type, for typed dispatch on the client. */
export interface NotificationMap {
  connected: ConnectedParams;
  heartbeat: HeartbeatParams;
  "process.started": ProcessStartedParams;
  "process.output": ProcessOutputParams;
  "process.completed": ProcessCompletedParams;
  "process.paused": ExecutionRefParams;
  "process.resumed": ExecutionRefParams;
  "process.canceled": ExecutionRefParams;
  "process.error": ProcessErrorParams;
  "process.status": ProcessStatusParams;
  "process.gap": ProcessGapParams;
  "server.shutdown": ServerShutdownParams;
  "error.token_limit_exceeded": TokenLimitParams;
  "error.rate_limit_exceeded": RateLimitParams;
  "error.auth_failed": AuthFailedParams;
  "error.root_refusal": RootRefusalParams;
  "claude.retry": ClaudeRetryParams;
  "task.started": TaskStartedParams;
  "task.completed": TaskCompletedParams;
  "tasklist.completed": TasklistCompletedParams;
  "hook.warning": HookWarningParams;
}

export type NotificationName = keyof NotificationMap;
