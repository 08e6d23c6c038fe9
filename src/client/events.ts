/** What a client sees of one execution, as typed events and a final result. */
import type { FinalStatus } from "../protocol/methods.js";

export interface ExecutionResult {
  executionId: string;
  /** True exactly when status is "completed" (exit code 0, not canceled or timed out). */
  success: boolean;
  status: FinalStatus;
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  /** Collected output (empty when collection was off). */
  stdout: string;
  stderr: string;
  /** How many `process.output` notifications arrived. */
  outputs: number;
  error: string | null;
  timeoutKind?: "wall" | "idle";
  /** The raw `process.completed` params, including fields added by later features. */
  completion: Record<string, unknown>;
}

export type ExecutionEvent =
  | { type: "queued"; executionId: string; position: number }
  | { type: "started"; executionId: string; pid: number; pgid: number }
  | { type: "output"; executionId: string; stream: "stdout" | "stderr"; data: string; seq: number }
  | { type: "paused" | "resumed" | "canceled" | "reattached"; executionId: string }
  | {
      type: "status";
      executionId: string;
      inactiveSeconds: number;
      message: string;
      cpuPercent: number | null;
      rssBytes: number | null;
    }
  | { type: "error"; executionId: string; error: string }
  | { type: "gap"; executionId: string; fromSeq: number; toSeq: number }
  | { type: "notification"; executionId: string; method: string; params: Record<string, unknown> }
  | { type: "completed"; executionId: string; result: ExecutionResult };
