/** Shapes of method results (DESIGN §4). */
import type { ExecutionStatus, FinalStatus } from "./methods.js";

export type ExecuteResult = (
  | { status: "started"; execution_id: string; pid: number; pgid: number }
  | { status: "queued"; execution_id: string; position: number }
) & {
  /** How long runs of this command usually take, learned from history (when known). */
  estimated_seconds?: number;
  /** The wall-clock limit enforced, in seconds (absent: none). */
  timeout_seconds?: number;
};

export interface ControlResult {
  status: "paused" | "resumed" | "canceled";
  execution_id: string;
}

export interface ExecutionSummary {
  execution_id: string;
  kind: "command" | "claude";
  command: string;
  status: ExecutionStatus;
  pid: number | null;
  pgid: number | null;
  cwd: string;
  submitted_at: string;
  started_at: string | null;
  ended_at: string | null;
  exit_code: number | null;
  signal: string | null;
  last_seq: number;
  stdout_bytes: number;
  stderr_bytes: number;
  session_id: string | null;
  /** Where it runs: the worker's name in queue mode (DESIGN §12), else "local". */
  worker_id: string;
}

export interface SubscribeResult {
  execution_id: string;
  status: ExecutionStatus;
  /** The seq of the newest output chunk at the time of the reply; replay runs up to it, then live. */
  last_seq: number;
  /**
   * The oldest seq still retrievable: 1 while the spool works (it keeps the head even past its
   * cap; dropped middle output is reported as `process.gap` during the replay), else the oldest
   * seq of the memory window.
   */
  first_available_seq: number;
}

export interface UnsubscribeResult {
  execution_id: string;
  /** False when this connection was not following it. */
  unsubscribed: boolean;
}

export interface ExecutionsListResult {
  /** Newest submission first. */
  executions: ExecutionSummary[];
}

/** `pong` as a request (old clients answer heartbeats with it); as a notification it gets none. */
export interface PongResult {
  status: "ok";
}

export interface ServerStatusResult {
  version: string;
  pid: number;
  uptime_seconds: number;
  connections: number;
  executions: { running: number; queued: number; retained: number };
  limits: {
    max_sessions: number;
    max_concurrent: number;
    max_per_connection: number;
    max_queue: number;
  };
  rss_bytes: number;
  auth: "token" | "none";
  /** The workers that run this server's executions (queue mode, DESIGN §12); empty otherwise. */
  workers: WorkerStatus[];
  /** Queue mode only: the queue's Redis and whether it answers. */
  queue?: { url: string; prefix: string; connected: boolean; error: string | null };
}

export interface WorkerStatus {
  id: string;
  host: string;
  pid: number;
  concurrency: number;
  running: number;
  /** ISO 8601. */
  last_heartbeat: string;
}

/** `dashboard.code`: a one-time login link for the dashboard (DESIGN §14). */
export interface DashboardCodeResult {
  /** Single use, valid until `expires_at`. */
  code: string;
  /** `http://127.0.0.1:PORT/?code=…`, the link to open. */
  url: string;
  expires_at: string;
}

/** `executions.subscribe` / `executions.unsubscribe`. */
export interface ExecutionsSubscribeResult {
  subscribed: boolean;
}

/** What moved an execution: `executions.changed` is sent for each (docs/protocol.md). */
export type ExecutionChange = "created" | "started" | "paused" | "resumed" | "ended";

/** `executions.changed`: one execution of the server, after a change, as `executions.list` shows it. */
export interface ExecutionsChangedParams {
  change: ExecutionChange;
  execution: ExecutionSummary;
}

export type { HookStatusResult } from "./hooks.js";

export type { FinalStatus };
