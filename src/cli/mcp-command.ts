/**
 * `cc-executor mcp` (DESIGN §8, §13): the MCP server on stdio for Claude Code. It uses the
 * running cc-executor server of this home (or CC_EXECUTOR_URL); when none answers, it starts one
 * in the background as `server start --detach` does, so the work it starts outlives it.
 */
import type { Command } from "commander";
import { type CcExecutorClient, connect } from "../client/node.js";
import { readServerInfo } from "../client/server-info.js";
import { homePaths } from "../config/home.js";
import type { Settings } from "../config/settings.js";
import { createLogger } from "../log/logger.js";
import { progressIntervalFromEnv } from "../mcp/progress-reporter.js";
import { serveStdio } from "../mcp/serve-stdio.js";
import { probeHealth } from "./health-probe.js";
import { type InstallFlags, mcpInstall } from "./mcp-install.js";
import { startDetached } from "./server-detach.js";
import { settingsFromFlags } from "./settings-from-flags.js";

export function registerMcpCommand(program: Command): void {
  const mcp = program
    .command("mcp")
    .description("the MCP server on stdio, for Claude Code (see: cc-executor mcp install)");
  mcp
    .command("install")
    .description("print the `claude mcp add` line that registers cc-executor with Claude Code")
    .option("--scope <scope>", "Claude Code's config scope: local (default), user or project")
    .option("--apply", "run the line (needs `claude` on PATH, or CC_EXECUTOR_CLAUDE_BIN)")
    .action(async (flags: InstallFlags) => {
      await mcpInstall(flags, settingsFromFlags({}).claudeBin);
    });
  mcp
    .command("serve", { isDefault: true })
    .description("serve MCP on stdin/stdout (what `cc-executor mcp` does)")
    .action(async () => {
      const settings = settingsFromFlags({});
      const log = createLogger(settings.logLevel === "info" ? "warn" : settings.logLevel);
      await serveStdio({
        connect: () => connectOrStartDetached(settings, (line) => log.warn(line.trim())),
        progressIntervalMs: progressIntervalFromEnv(),
        log,
      });
      process.exit(0);
    });
}

/** The recorded (or named) server, else a new one in the background; then a client to it. */
async function connectOrStartDetached(
  settings: Settings,
  report: (line: string) => void,
): Promise<CcExecutorClient> {
  const explicitUrl = process.env.CC_EXECUTOR_URL || null;
  const infoPath = homePaths(settings.home).serverInfo;
  const recorded = () => explicitUrl ?? readServerInfo(infoPath)?.wsUrl ?? null;
  let url = recorded();
  if (url === null || !(await answers(url))) {
    if (explicitUrl !== null)
      throw new Error(`no server answers at ${explicitUrl} (CC_EXECUTOR_URL)`);
    try {
      await startDetached(settings, ["server", "start"], report);
    } catch (error) {
      // Another MCP server may have started one meanwhile (and taken the port): use that.
      url = recorded();
      if (url === null || !(await answers(url))) throw error;
    }
    url = recorded();
  }
  return connect({ home: settings.home, url: url ?? undefined });
}

function answers(wsUrl: string): Promise<boolean> {
  const url = new URL(wsUrl);
  return probeHealth(url.hostname.replace(/^\[|\]$/g, ""), Number(url.port || 80));
}
