/** `server start --detach`: the same command in a new session, logs to a file, wait until healthy. */
import { spawn } from "node:child_process";
import { fstatSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readServerInfo } from "../client/server-info.js";
import { ensureHome } from "../config/home.js";
import type { Settings } from "../config/settings.js";
import { withServerMallocEnv } from "../runtime/server-malloc-env.js";
import { CliError } from "./cli-error.js";
import { probeHealth } from "./health-probe.js";

const READY_TIMEOUT_MS = 15_000;
/**
 * The V8 flags the `cc-executor` command starts node with (bin/cc-executor.mjs says why); a server
 * started in the background gets them too, however this process was started, and the malloc
 * setting (runtime/server-malloc-env.ts).
 */
export const SERVER_NODE_FLAGS = ["--max-semi-space-size=2"];

/** `report` gets the "started" lines (default: stdout; `cc-executor mcp` keeps stdout for MCP). */
export async function startDetached(
  settings: Settings,
  argv: string[],
  report: (text: string) => void = (text) => process.stdout.write(text),
): Promise<void> {
  const paths = ensureHome(settings.home);
  const logPath = join(paths.logs, "server.log");
  const log = openSync(logPath, "a", 0o600);
  const logStart = fstatSync(log).size;
  const args = argv.filter((arg) => arg !== "--detach");
  const child = spawn(
    process.execPath,
    [...SERVER_NODE_FLAGS, process.argv[1] as string, ...args],
    {
      detached: true,
      stdio: ["ignore", log, log],
      env: withServerMallocEnv({ ...process.env, CC_EXECUTOR_HOME: settings.home }),
    },
  );
  child.unref();
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    const info = readServerInfo(paths.serverInfo);
    if (info && info.pid === child.pid && (await probeHealth(connectHost(info.host), info.port))) {
      report(
        `cc-executor started in the background: pid ${info.pid}, ${info.url}\nlogs: ${logPath}\n` +
          `${dashboardLine(logPath, logStart)}\n`,
      );
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const reason = startFailure(logPath, logStart);
  throw new CliError(`the server did not start${reason ? `: ${reason}` : ""}; see ${logPath}`);
}

/** The `dashboard: URL` line the server wrote to its log, or how to get one. */
function dashboardLine(logPath: string, fromByte: number): string {
  const written = readFileSync(logPath).subarray(fromByte).toString("utf8");
  const line = written.split("\n").find((text) => text.startsWith("dashboard: "));
  return line ?? "dashboard: `cc-executor dashboard` prints a login link";
}

/** What the failed start wrote last to its log: its `cc-executor: …` line, if it wrote one. */
function startFailure(logPath: string, fromByte: number): string | null {
  const written = readFileSync(logPath).subarray(fromByte).toString("utf8");
  const lines = written.split("\n").filter((line) => line.startsWith("cc-executor: "));
  return lines.at(-1)?.slice("cc-executor: ".length) ?? null;
}

export function connectHost(host: string): string {
  return host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
}
