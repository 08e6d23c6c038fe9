/**
 * Commands that need a server use the running one, or start one inside this process on a free
 * loopback port when none answers (DESIGN §8). The in-process server ends with the command.
 */

import { type CcExecutorClient, connect, resolveEndpoint } from "../client/node.js";
import type { Settings } from "../config/settings.js";
import { createLogger } from "../log/logger.js";
import { type RunningServer, startServer } from "../server/server.js";
import { probeHealth } from "./health-probe.js";

export interface ClientSession {
  client: CcExecutorClient;
  /** Set when the server runs inside this process. */
  server: RunningServer | null;
  close(): Promise<void>;
}

export async function connectOrStart(settings: Settings): Promise<ClientSession> {
  const endpoint = resolveEndpoint({ home: settings.home });
  const url = new URL(endpoint.url);
  if (await probeHealth(url.hostname.replace(/^\[|\]$/g, ""), Number(url.port || 80))) {
    const client = await connect({ home: settings.home, url: endpoint.url });
    return { client, server: null, close: async () => client.close() };
  }
  const server = await startServer(
    {
      ...settings,
      host: "127.0.0.1",
      port: 0,
      logLevel: settings.logLevel === "info" ? "warn" : settings.logLevel,
    },
    { logger: createLogger(settings.logLevel === "info" ? "warn" : settings.logLevel) },
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
