/** Notification parameter shapes (DESIGN §4). Every execution notification carries execution_id. */
import type { FinalStatus } from "./methods.js";

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
  error?: string;
  /** Set when the status is timed_out: which limit fired. */
  timeout_kind?: "wall" | "idle";
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
}

export type NotificationName = keyof NotificationMap;
