/**
 * Commands that need a server use the running one, or start one inside this process on a free
 * loopback port when none answers (DESIGN §8). The in-process server ends with the command.
 *
 * "The running one" is the server recorded in this home's server.json (it shares the home's
 * token), or the one named by CC_EXECUTOR_URL. A server that merely answers on the default port
 * is not assumed to be ours: it may belong to another home, whose token we do not have.
 */

import { type CcExecutorClient, connect } from "../client/node.js";
import { readServerInfo } from "../client/server-info.js";
import { homePaths } from "../config/home.js";
import type { Settings } from "../config/settings.js";
import { createLogger } from "../log/logger.js";
import { type RunningServer, startServer } from "../server/server.js";
import { CliError } from "./cli-error.js";
import { probeHealth } from "./health-probe.js";

export interface ClientSession {
  client: CcExecutorClient;
  /** Set when the server runs inside this process. */
  server: RunningServer | null;
  close(): Promise<void>;
}

export async function connectOrStart(settings: Settings): Promise<ClientSession> {
  const explicitUrl = process.env.CC_EXECUTOR_URL || null;
  const url = explicitUrl ?? readServerInfo(homePaths(settings.home).serverInfo)?.wsUrl ?? null;
  if (url !== null && (await answers(url))) {
    const client = await connect({
      home: settings.home,
      url,
      reconnect: { giveUpAfterMs: settings.reconnectTimeoutMs },
    });
    return { client, server: null, close: async () => client.close() };
  }
  // Someone asked for that server by name: running the command elsewhere would surprise them.
  if (explicitUrl !== null)
    throw new CliError(`no server answers at ${explicitUrl} (CC_EXECUTOR_URL)`);
  const quietLevel = settings.logLevel === "info" ? "warn" : settings.logLevel;
  // Its warnings reach the person running the command: readable lines on a terminal.
  const terminal = process.stderr.isTTY === true;
  const logger = terminal
    ? createLogger(quietLevel, undefined, "pretty", !process.env.NO_COLOR)
    : createLogger(quietLevel);
  const server = await startServer(
    { ...settings, host: "127.0.0.1", port: 0, logLevel: quietLevel },
    { logger },
  );
  const client = await connect({ url: server.wsUrl, token: server.token, reconnect: false });
  return {
    client,
    server,
    close: async () => {
      client.close();
      await server.close("command finished");
    },
  };
}

function answers(wsUrl: string): Promise<boolean> {
  const url = new URL(wsUrl);
  const defaultPort = url.protocol === "wss:" ? 443 : 80;
  return probeHealth(url.hostname.replace(/^\[|\]$/g, ""), Number(url.port || defaultPort));
}
