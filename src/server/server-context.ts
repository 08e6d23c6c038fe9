/** What every part of a running server shares. Built once by `startServer`. */
import type { Settings } from "../config/settings.js";
import type { HookService } from "../hooks/hook-service.js";
import type { AuditLog } from "../log/audit-log.js";
import type { Logger } from "../log/logger.js";
import type { HistoryService } from "../store/history-service.js";
import type { Supervisor } from "../supervisor/supervisor.js";
import type { TaskService } from "../tasks/task-service.js";
import type { RpcConnection } from "./rpc-connection.js";

export interface ServerContext {
  settings: Settings;
  supervisor: Supervisor;
  history: HistoryService;
  logger: Logger;
  audit: AuditLog;
  connections: Set<RpcConnection>;
  startedAtMs: number;
  /** Resolved once at start: the shell for `execute` and stdbuf when installed. */
  shellPath: string;
  stdbufPath: string | null;
  spoolRoot: string;
  port: number;
  /** Pre/post-execution hooks (docs/hooks.md): every admission runs `hooks.before`. */
  hooks: HookService;
  /** Durable sequential task lists (docs/tasks.md). */
  tasks: TaskService;
}
