/**
 * `server start` in the foreground: the process-wide parts around `startServer` — the
 * server.json/server.pid records, the log's format (readable lines on a terminal, JSON when
 * piped: `--log-format`), and SIGTERM/SIGINT for a graceful stop (a second signal forces the
 * exit).
 */
import { rmSync, writeFileSync } from "node:fs";
import { removeServerInfo, writeServerInfo } from "../client/server-info.js";
import { homePaths } from "../config/home.js";
import type { Settings } from "../config/settings.js";
import { createLogger, type LogFormat } from "../log/logger.js";
import { VERSION } from "../protocol/version.js";
import { isWildcardBind } from "../server/allow-lists.js";
import { dashboardLoginUrl } from "../server/dashboard/dashboard-auth.js";
import { StartError, startServer } from "../server/server.js";
import { CliError } from "./cli-error.js";

export async function runForeground(
  settings: Settings,
  logFormat: LogFormat = "json",
): Promise<void> {
  const paths = homePaths(settings.home);
  const colour = logFormat === "pretty" && process.stderr.isTTY === true && !process.env.NO_COLOR;
  const logger = createLogger(settings.logLevel, undefined, logFormat, colour);
  const server = await startServer(settings, { logger }).catch((error: unknown) => {
    if (error instanceof StartError) throw new CliError(error.message);
    throw error;
  });
  writeServerInfo(paths.serverInfo, {
    pid: process.pid,
    host: server.host,
    port: server.port,
    url: server.url,
    wsUrl: server.wsUrl,
    startedAt: new Date().toISOString(),
    version: VERSION,
  });
  writeFileSync(paths.pidFile, `${process.pid}\n`, { mode: 0o600 });
  // A wildcard bind's URLs name 127.0.0.1; say what it is bound to as well.
  const bound = isWildcardBind(server.host) ? `, bound to ${server.host} (every interface)` : "";
  process.stdout.write(
    `cc-executor ${VERSION} listening on ${server.url} (WebSocket ${server.wsUrl})${bound}\n` +
      (server.token ? `token: ${paths.token}\n` : "WARNING: authentication is off\n") +
      `dashboard: ${dashboardLoginUrl(server.url, server.context.dashboard.issueCode().code)}\n`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      process.stderr.write(`cc-executor: ${signal} again, exiting now\n`);
      process.exit(130);
    }
    stopping = true;
    process.stderr.write(
      `cc-executor: ${signal} received, stopping (running executions are interrupted)\n`,
    );
    void server.close(`server received ${signal}`).finally(() => {
      removeServerInfo(paths.serverInfo, process.pid);
      rmSync(paths.pidFile, { force: true });
      process.exit(0);
    });
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGHUP", () => stop("SIGHUP"));
}
