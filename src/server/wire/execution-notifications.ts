/**
 * The wire forms of an execution (docs/protocol.md): each event becomes its notification
 * (`process.*`, `error.*`, `claude.retry`), the result becomes the one `process.completed`. The
 * only place that knows these names and snake_case shapes; the parts below speak domain types.
 */
import type {
  ClaudeCompletion,
  NotificationMap,
  ProcessCompletedParams,
} from "../../protocol/notifications.js";
import type { ClaudeNotice, ExecutionEvent } from "../../supervisor/execution/execution-event.js";
import type {
  ClaudeSummary,
  ExecutionResult,
} from "../../supervisor/execution/execution-result.js";

type Method = keyof NotificationMap;

/** `worker_id` of an execution this server ran itself. */
export const LOCAL_WORKER_ID = "local";

export interface WireNotification<M extends Method = Method> {
  method: M;
  params: NotificationMap[M];
}

/** The notification an event of execution `executionId` is on the wire. */
export function eventNotification(executionId: string, event: ExecutionEvent): WireNotification {
  const execution_id = executionId;
  switch (event.type) {
    case "started":
      return {
        method: "process.started",
        params: {
          execution_id,
          pid: event.pid,
          pgid: event.pgid,
          worker_id: event.workerId ?? LOCAL_WORKER_ID,
        },
      };
    case "paused":
      return { method: "process.paused", params: { execution_id } };
    case "resumed":
      return { method: "process.resumed", params: { execution_id } };
    case "canceled":
      return { method: "process.canceled", params: { execution_id } };
    case "spawn_failed":
      return { method: "process.error", params: { execution_id, error: event.error } };
    case "silent": {
      const { report } = event;
      const params: NotificationMap["process.status"] = {
        execution_id,
        status: "running",
        pid: report.pid,
        pgid: report.pgid,
        inactive_seconds: report.silentSeconds,
        message: report.message,
        cpu_percent: report.cpuPercent,
        rss_bytes: report.rssBytes,
      };
      if (report.estimatedSeconds !== undefined) params.estimated_seconds = report.estimatedSeconds;
      if (report.exceedsUsualTime) params.exceeds_usual_time = true;
      return { method: "process.status", params };
    }
    case "claude":
      return claudeNotification(execution_id, event.notice);
  }
}

function claudeNotification(execution_id: string, notice: ClaudeNotice): WireNotification {
  switch (notice.kind) {
    case "token_limit":
      return {
        method: "error.token_limit_exceeded",
        params: {
          execution_id,
          limit: notice.limit,
          recoverable: true,
          message: notice.message,
          attempt: notice.attempt,
        },
      };
    case "rate_limit": {
      const params: NotificationMap["error.rate_limit_exceeded"] = {
        execution_id,
        error_type: notice.errorType,
        status: notice.status,
        recoverable: notice.recoverable,
        message: notice.message,
        attempt: notice.attempt,
      };
      if (notice.retryAfterMs !== undefined) {
        params.retry_after = Math.round(notice.retryAfterMs) / 1000;
      }
      if (notice.resetTimestamp !== undefined) params.reset_timestamp = notice.resetTimestamp;
      return { method: "error.rate_limit_exceeded", params };
    }
    case "auth_failed":
      return {
        method: "error.auth_failed",
        params: {
          execution_id,
          auth_mode: notice.authMode,
          status: notice.status,
          recoverable: false,
          message: notice.message,
          attempt: notice.attempt,
        },
      };
    case "root_refusal":
      return {
        method: "error.root_refusal",
        params: { execution_id, recoverable: false, message: notice.message },
      };
    case "retry":
      return {
        method: "claude.retry",
        params: {
          execution_id,
          attempt: notice.attempt,
          max_attempts: notice.maxAttempts,
          delay_ms: notice.delayMs,
          reason: notice.reason,
          message: notice.message,
        },
      };
  }
}

/** The one `process.completed` of an ended execution. */
export function completedParams(result: ExecutionResult): ProcessCompletedParams {
  const params: ProcessCompletedParams = {
    execution_id: result.executionId,
    status: result.status,
    exit_code: result.exitCode,
    signal: result.signal,
    execution_time: Math.round(result.durationMs) / 1000,
    duration_ms: result.durationMs,
    last_seq: result.lastSeq,
    stdout_bytes: result.stdoutBytes,
    stderr_bytes: result.stderrBytes,
    worker_id: result.workerId ?? LOCAL_WORKER_ID,
  };
  if (result.error !== undefined) params.error = result.error;
  if (result.timeoutKind !== undefined) params.timeout_kind = result.timeoutKind;
  if (result.claude) params.claude = claudeCompletion(result.claude);
  return params;
}

function claudeCompletion(summary: ClaudeSummary): ClaudeCompletion {
  const claude: ClaudeCompletion = {
    session_id: summary.sessionId,
    result: summary.result,
    is_error: summary.isError,
    subtype: summary.subtype,
    cost_usd: summary.costUsd,
    usage: summary.usage,
    num_turns: summary.numTurns,
    attempts: summary.attempts,
  };
  if (summary.uuidVerified !== undefined) claude.uuid_verified = summary.uuidVerified;
  if (summary.failure !== undefined) claude.failure = summary.failure;
  return claude;
}
