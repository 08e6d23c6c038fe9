/**
 * Plain mappings from the wire (snake_case notification params) to what SDK users see: the
 * typed events that need no per-execution state, and the final result.
 */
import type { FinalStatus } from "../protocol/methods.js";
import type { ExecutionEvent, ExecutionResult } from "./events.js";

type Params = Record<string, unknown>;

/** Events that carry no ordering or state (unlike output, started, gap and completed). */
export function plainEvent(method: string, params: Params, executionId: string): ExecutionEvent {
  switch (method) {
    case "process.paused":
      return { type: "paused", executionId };
    case "process.resumed":
      return { type: "resumed", executionId };
    case "process.canceled":
      return { type: "canceled", executionId };
    case "process.status":
      return {
        type: "status",
        executionId,
        inactiveSeconds: Number(params.inactive_seconds),
        message: String(params.message ?? ""),
        cpuPercent: (params.cpu_percent as number | null) ?? null,
        rssBytes: (params.rss_bytes as number | null) ?? null,
      };
    case "process.error":
      return { type: "error", executionId, error: String(params.error) };
    default:
      // Notifications of later features (e.g. Claude runs) pass through untyped.
      return { type: "notification", executionId, method, params };
  }
}

export interface CollectedOutput {
  stdout: string;
  stderr: string;
  /** Distinct process.output notifications received. */
  outputs: number;
}

/** The result of an execution from its `process.completed` params and what was collected. */
export function resultFromCompletion(
  executionId: string,
  params: Params,
  collected: CollectedOutput,
): ExecutionResult {
  const status = params.status as FinalStatus;
  const result: ExecutionResult = {
    executionId,
    success: status === "completed",
    status,
    exitCode: (params.exit_code as number | null) ?? null,
    signal: (params.signal as string | null) ?? null,
    durationMs: Number(params.duration_ms ?? Number(params.execution_time) * 1000),
    ...collected,
    error: (params.error as string | undefined) ?? null,
    completion: params,
  };
  if (params.timeout_kind) result.timeoutKind = params.timeout_kind as "wall" | "idle";
  return result;
}
