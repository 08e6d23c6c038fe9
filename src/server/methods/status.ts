/** `server.status`, `executions.list`, `hook_status`, `pong`. */

import type { HookStatusResult, ServerStatusResult } from "../../protocol/results.js";
import { VERSION } from "../../protocol/version.js";
import { defineMethod } from "../method-table.js";
import type { ServerContext } from "../server-context.js";
import { executionSummary } from "../wire/execution-summary.js";

export function serverStatus(server: ServerContext): ServerStatusResult {
  const { settings } = server;
  const load = server.engine.load();
  const { limits } = load;
  return {
    version: VERSION,
    pid: process.pid,
    uptime_seconds: Math.round((performance.now() - server.startedAtMs) / 1000),
    connections: server.connections.size,
    executions: {
      running: load.running,
      queued: load.queued,
      retained: load.retained,
    },
    limits: {
      max_sessions: settings.maxSessions,
      max_concurrent: limits.maxConcurrent,
      max_per_connection: limits.maxPerConnection,
      max_queue: limits.maxQueue,
    },
    rss_bytes: process.memoryUsage.rss(),
    auth: settings.auth,
    ...clusterStatus(server),
  };
}

/** Queue mode's workers and queue (DESIGN §12); a local server has no workers. */
function clusterStatus(server: ServerContext): Pick<ServerStatusResult, "workers" | "queue"> {
  const cluster = server.engine.cluster?.();
  return cluster ? { workers: cluster.workers, queue: cluster.queue } : { workers: [] };
}

export const serverStatusMethod = defineMethod("server.status", (_params, call) =>
  serverStatus(call.server),
);

export const executionsList = defineMethod("executions.list", (params, call) => {
  const status = params.status === undefined ? undefined : [params.status].flat();
  const executions = call.server.engine.list({ status, limit: params.limit });
  return { executions: executions.map(executionSummary) };
});

/** The configured and built-in hooks, their counts and recent results (docs/hooks.md). */
export const hookStatus = defineMethod(
  "hook_status",
  (_params, call): HookStatusResult => call.server.hooks.status(),
);

/** Old clients answer heartbeats with `pong`; it needs no reply and gets none as a notification. */
export const pong = defineMethod("pong", () => ({ status: "ok" }));
