/**
 * `server status`: whether a server runs for this home and what it is doing. Exit codes follow
 * the LSB convention scripts know: 0 running, 3 not running, 1 recorded but not answering.
 */
import { readServerInfo } from "../client/server-info.js";
import { homePaths } from "../config/home.js";
import type { Settings } from "../config/settings.js";
import { readToken } from "../config/token.js";
import type { ServerStatusResult } from "../protocol/results.js";
import { CliError } from "./cli-error.js";
import { getJson } from "./health-probe.js";
import { connectHost } from "./server-detach.js";

const NOT_RUNNING_EXIT_CODE = 3;
const NOT_ANSWERING_EXIT_CODE = 1;

export async function printServerStatus(settings: Settings, asJson: boolean): Promise<number> {
  const paths = homePaths(settings.home);
  const info = readServerInfo(paths.serverInfo);
  if (!info) {
    if (asJson) process.stdout.write(`${JSON.stringify({ running: false })}\n`);
    else process.stdout.write("cc-executor: no server running\n");
    return NOT_RUNNING_EXIT_CODE;
  }
  let health: Record<string, unknown>;
  try {
    health = (await getJson(
      connectHost(info.host),
      info.port,
      "/health",
      readToken(paths.token),
    )) as Record<string, unknown>;
    if (health.status !== "ok") throw new Error(`it answered ${JSON.stringify(health)}`);
  } catch (error) {
    // The pid lives but no server of ours answers: hung, another home's (another token), or
    // the pid now belongs to some other program.
    throw new CliError(
      `server pid ${info.pid} is recorded in ${paths.serverInfo} but not answering at ${info.url}: ` +
        (error as Error).message,
      NOT_ANSWERING_EXIT_CODE,
    );
  }
  if (asJson) {
    process.stdout.write(`${JSON.stringify({ running: true, ...info, health }, null, 2)}\n`);
    return 0;
  }
  const executions = health.executions as { running: number; queued: number } | undefined;
  process.stdout.write(
    `cc-executor ${info.version} running: pid ${info.pid}, ${info.url}, since ${info.startedAt}\n` +
      `  connections ${health.connections ?? "?"}, executions running ${executions?.running ?? "?"}, ` +
      `queued ${executions?.queued ?? "?"}, rss ${Math.round(Number(health.rss_bytes ?? 0) / 1048576)} MiB\n`,
  );
  process.stdout.write(clusterLines(health));
  return 0;
}

/** Queue mode (docs/workers.md): the queue's Redis and one line per live worker. */
function clusterLines(health: Record<string, unknown>): string {
  const queue = health.queue as ServerStatusResult["queue"];
  if (!queue) return "";
  const state = queue.connected ? "connected" : `NOT CONNECTED (${queue.error ?? "?"})`;
  const workers = (health.workers as ServerStatusResult["workers"] | undefined) ?? [];
  const lines = [
    `  queue ${queue.url} (prefix ${queue.prefix}): ${state}, ${workers.length} workers`,
  ];
  for (const w of workers) {
    lines.push(
      `    ${w.id}  host ${w.host}  pid ${w.pid}  running ${w.running}/${w.concurrency}  last heartbeat ${w.last_heartbeat}`,
    );
  }
  return `${lines.join("\n")}\n`;
}
