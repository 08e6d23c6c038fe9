/**
 * The server that is already running, for commands that only make sense against it (`ps`,
 * `cancel`, `logs`): an in-process server started for them would hold no executions. Found as
 * connect-or-start.ts finds it: CC_EXECUTOR_URL, else the home's server.json when it answers.
 */
import { type CcExecutorClient, connect } from "../client/node.js";
import { readServerInfo } from "../client/server-info.js";
import { homePaths } from "../config/home.js";
import type { Settings } from "../config/settings.js";
import { CliError } from "./cli-error.js";
import { probeHealth } from "./health-probe.js";

/** A client of the running server, or null when none runs (CC_EXECUTOR_URL not answering: an error). */
export async function connectRunning(settings: Settings): Promise<CcExecutorClient | null> {
  const explicitUrl = process.env.CC_EXECUTOR_URL || null;
  const url = explicitUrl ?? readServerInfo(homePaths(settings.home).serverInfo)?.wsUrl ?? null;
  if (url !== null && (await answers(url))) return connect({ home: settings.home, url });
  if (explicitUrl !== null)
    throw new CliError(`no server answers at ${explicitUrl} (CC_EXECUTOR_URL)`);
  return null;
}

function answers(wsUrl: string): Promise<boolean> {
  const url = new URL(wsUrl);
  const defaultPort = url.protocol === "wss:" ? 443 : 80;
  return probeHealth(url.hostname.replace(/^\[|\]$/g, ""), Number(url.port || defaultPort));
}
