/**
 * The composition root: settings in, a listening server out (DESIGN §4, §11).
 * Process-wide concerns (signals, pid files) belong to the CLI, so tests and the in-process
 * server of `cc-executor run` can start several of these side by side.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ensureHome } from "../config/home.js";
import type { Settings } from "../config/settings.js";
import { readOrCreateToken } from "../config/token.js";
import { type AuditLog, openAuditLog } from "../log/audit-log.js";
import { createLogger, type Logger } from "../log/logger.js";
import { limitRefusals } from "../log/refusal-audit.js";
import { AllowLists, isLoopbackHost, urlHost } from "./allow-lists.js";
import { CLAUDE_SOCKET_PATH, claudeSocketRoute } from "./claude-socket.js";
import { guardConnections, httpTimeouts, TOO_MANY_CONNECTIONS } from "./connection-guard.js";
import { DashboardAuth } from "./dashboard/dashboard-auth.js";
import { DashboardRoutes } from "./dashboard/dashboard-routes.js";
import { ExecutionsFeed } from "./executions-feed.js";
import { routeHookWarnings } from "./hook-warnings.js";
import { handleHttp } from "./http-routes.js";
import { rpcMethods } from "./methods/index.js";
import { ServerMetrics, storeLatencyHistogram } from "./metrics.js";
import type { GuardOptions } from "./request-guard.js";
import type { ServerContext } from "./server-context.js";
import { startParts } from "./server-parts.js";
import { shutdownConnections } from "./shutdown.js";
import { UpgradeHandler } from "./upgrade.js";

export interface StartOptions {
  logger?: Logger;
  audit?: AuditLog;
}

export interface RunningServer {
  host: string;
  port: number;
  /** http://host:port, where clients on this machine reach it (127.0.0.1 for a wildcard bind) */
  url: string;
  /** ws://host:port/ws/mcp, the same host as `url` */
  wsUrl: string;
  token: string | null;
  context: ServerContext;
  /** Graceful stop: clients told, executions interrupted and recorded, sockets closed. */
  close(reason?: string): Promise<void>;
}

export class StartError extends Error {
  override name = "StartError";
}

export async function startServer(
  settings: Settings,
  options: StartOptions = {},
): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(settings.logLevel);
  checkExposure(settings, logger);
  const paths = ensureHome(settings.home);
  const token = settings.auth === "token" ? readOrCreateToken(paths.token).token : null;
  // Refusals are cut and counted whatever the log is: anyone can cause them (refusal-audit.ts).
  const audit = limitRefusals(
    options.audit ??
      openAuditLog(paths.auditLog, (error) =>
        logger.error({ err: error }, "audit log write failed"),
      ),
  );
  // Made before the store opens, so its first calls (recovery, retention) are counted too.
  const storeLatency = storeLatencyHistogram();
  const parts = await startParts(settings, paths, {
    logger,
    audit,
    storeTiming: (operation, method, durationMs) =>
      storeLatency.observe({ operation, method }, durationMs / 1000),
  });
  const { engine, history, recorder, hooks, tasks } = parts;
  const dashboard = new DashboardAuth();
  const executionsFeed = new ExecutionsFeed();
  engine.observe(executionsFeed);
  const context: ServerContext = {
    settings,
    engine,
    history,
    recorder,
    logger,
    audit,
    connections: new Set(),
    claudeSessions: new Set(),
    startedAtMs: performance.now(),
    port: 0,
    dashboard,
    dashboardRoutes: new DashboardRoutes(dashboard, audit),
    executionsFeed,
    hooks,
    tasks,
    metrics: new ServerMetrics({
      engine,
      connections: () => context.connections.size + context.claudeSessions.size,
      spoolBytes: () => parts.spoolJanitor.usedBytes,
      storeLatency,
    }),
  };
  routeHookWarnings(hooks, tasks, context.connections);
  // Node would answer a Host-less HTTP/1.1 request with its own 400; the guard refuses it
  // with 403 and an audit entry like every other bad Host (DESIGN §11).
  const httpServer = createServer({ requireHostHeader: false, ...httpTimeouts(settings) });
  if (settings.maxConnectionsPerAddress <= settings.maxSessions) {
    // Local clients all come from 127.0.0.1: they would meet the address cap (a bare 503)
    // before MAX_SESSIONS (an in-band refusal) and the HTTP routes would have no room left.
    logger.warn(
      {
        maxConnectionsPerAddress: settings.maxConnectionsPerAddress,
        maxSessions: settings.maxSessions,
      },
      "CC_EXECUTOR_MAX_CONNECTIONS_PER_ADDRESS is not above MAX_SESSIONS",
    );
  }
  guardConnections(httpServer, settings, (peer) =>
    audit.record({ event: "refused", reason: TOO_MANY_CONNECTIONS, peer, path: "-" }),
  );
  const port = await listen(httpServer, settings.port, settings.host).catch(async (error) => {
    await tasks.close();
    await engine.shutdown();
    await hooks.close();
    await recorder.close();
    await history.close();
    audit.close();
    throw new StartError(
      `cannot listen on ${settings.host}:${settings.port}: ${(error as Error).message}`,
    );
  });
  context.port = port;
  dashboard.port = port;
  const guard: GuardOptions = {
    allowLists: new AllowLists({
      port,
      bindHost: settings.host,
      allowedHosts: settings.allowedHosts,
      allowedOrigins: settings.allowedOrigins,
    }),
    token,
    requireToken: settings.auth === "token",
    dashboard,
  };
  const upgrades = new UpgradeHandler(
    context,
    guard,
    rpcMethods(),
    new Map([[CLAUDE_SOCKET_PATH, claudeSocketRoute(context)]]),
  );
  httpServer.on("request", (request, response) => handleHttp(request, response, context, guard));
  httpServer.on("upgrade", (request, socket, head) => upgrades.handle(request, socket, head));
  httpServer.on("clientError", (_error, socket) => socket.destroy());
  const hostForUrl = urlHost(settings.host);
  let closing: Promise<void> | null = null;
  logger.info({ host: settings.host, port }, "cc-executor listening");
  return {
    host: settings.host,
    port,
    url: `http://${hostForUrl}:${port}`,
    wsUrl: `ws://${hostForUrl}:${port}/ws/mcp`,
    token,
    context,
    close(reason = "server stopping") {
      closing ??= (async () => {
        httpServer.close();
        await shutdownConnections(context, reason);
        await hooks.close();
        // After the engine stopped: every execution has its final record to write.
        await recorder.close();
        await history.close();
        httpServer.closeAllConnections();
        audit.close();
        logger.info("cc-executor stopped");
      })();
      return closing;
    },
  };
}

function checkExposure(settings: Settings, logger: Logger): void {
  if (isLoopbackHost(settings.host)) {
    if (settings.auth === "none") {
      logger.warn(
        { source: authOffSource(settings) },
        `AUTHENTICATION IS OFF (${authOffSource(settings)}): any local process or web page can run commands`,
      );
    }
    return;
  }
  if (settings.auth === "none") {
    throw new StartError(
      `refusing to serve ${settings.host} without a token: ${authOffSource(settings)} is loopback only`,
    );
  }
  logger.warn(
    { host: settings.host },
    "listening beyond loopback: only the token protects this server",
  );
}

/** What turned the token check off: the flag, the environment, or the file that says so. */
export function authOffSource(settings: Pick<Settings, "authSource">): string {
  return settings.authSource ?? 'auth "none" in the settings';
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
