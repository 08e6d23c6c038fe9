/** What every part of a running server shares. Built once by `startServer`. */
import type { Settings } from "../config/settings.js";
import type { ExecutionEngine } from "../engine/engine.js";
import type { HookService } from "../hooks/hook-service.js";
import type { AuditLog } from "../log/audit-log.js";
import type { Logger } from "../log/logger.js";
import type { HistoryService } from "../store/history-service.js";
import type { TaskService } from "../tasks/task-service.js";
import type { DashboardAuth } from "./dashboard/dashboard-auth.js";
import type { DashboardRoutes } from "./dashboard/dashboard-routes.js";
import type { ExecutionsFeed } from "./executions-feed.js";
import type { HistoryRecorder } from "./history/history-recorder.js";
import type { ServerMetrics } from "./metrics.js";
import type { RpcConnection } from "./rpc-connection.js";

export interface ServerContext {
  settings: Settings;
  /** Every execution starts through it (engine/engine.ts). */
  engine: ExecutionEngine;
  history: HistoryService;
  /** Records executions and connections (server/history/). */
  recorder: HistoryRecorder;
  logger: Logger;
  audit: AuditLog;
  connections: Set<RpcConnection>;
  /** Session ids of open `/ws/claude` sockets: they count against MAX_SESSIONS too. */
  claudeSessions: Set<string>;
  startedAtMs: number;
  port: number;
  /** Pre/post-execution hooks (docs/hooks.md); the engine runs the pre hooks. */
  hooks: HookService;
  /** Durable sequential task lists (docs/tasks.md). */
  tasks: TaskService;
  /** Dashboard one-time codes and sessions (DESIGN §14); set once the port is known. */
  dashboard: DashboardAuth;
  dashboardRoutes: DashboardRoutes;
  /** The connections told about every execution's changes (`executions.subscribe`). */
  executionsFeed: ExecutionsFeed;
  /** What `/metrics` serves. */
  metrics: ServerMetrics;
}
