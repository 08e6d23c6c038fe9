/** `cc-executor server start | stop | status | restart` (DESIGN §8). */
import type { Command } from "commander";
import { readServerInfo } from "../client/server-info.js";
import { homePaths } from "../config/home.js";
import { readOrCreateToken } from "../config/token.js";
import { LOG_FORMATS, type LogFormat } from "../log/logger.js";
import { CliError } from "./cli-error.js";
import { probeHealth } from "./health-probe.js";
import { connectHost, startDetached } from "./server-detach.js";
import { runForeground } from "./server-foreground.js";
import { printServerStatus } from "./server-status.js";
import { stopServer } from "./server-stop.js";
import { type ServerFlags, settingsFromFlags } from "./settings-from-flags.js";

interface StartFlags extends ServerFlags {
  detach?: boolean;
  logFormat?: string;
  /** Queue mode (docs/workers.md): a Redis URL workers take executions from. */
  queue?: string;
}

/** `--log-format`: as asked, else readable lines for a person at a terminal, JSON otherwise. */
function logFormatOf(flag: string | undefined): LogFormat {
  if (flag === undefined) return process.stderr.isTTY ? "pretty" : "json";
  if (!(LOG_FORMATS as readonly string[]).includes(flag))
    throw new CliError(`--log-format: expected ${LOG_FORMATS.join(" or ")}, got ${flag}`, 2);
  return flag as LogFormat;
}

export function registerServerCommands(program: Command): void {
  const server = program.command("server").description("start, stop and inspect the server");

  server
    .command("start")
    .description("start the server (foreground unless --detach)")
    .option("--port <port>", "port to listen on (default 8003)")
    .option("--host <host>", "address to bind (default 127.0.0.1)")
    .option("--detach", "run in the background; logs go to $CC_EXECUTOR_HOME/logs/server.log")
    .option("--no-auth", "turn the token check off (loopback only; not recommended)")
    .option(
      "--log-format <format>",
      "json or pretty (default: pretty on a terminal, json when piped or detached)",
    )
    .option(
      "--queue <redis-url>",
      "queue mode: run executions on workers (cc-executor worker) through this Redis; also CC_EXECUTOR_QUEUE_URL",
    )
    .action(async (flags: StartFlags) => {
      const logFormat = logFormatOf(flags.logFormat);
      const settings = settingsFromFlags(flags, flags.queue ? { queueUrl: flags.queue } : {});
      const running = readServerInfo(homePaths(settings.home).serverInfo);
      if (running && (await probeHealth(connectHost(running.host), running.port)))
        throw new CliError(`a server is already running (pid ${running.pid}, ${running.url})`);
      if (flags.detach) await startDetached(settings, process.argv.slice(2));
      else await runForeground(settings, logFormat);
    });

  server
    .command("stop")
    .description("stop the running server gracefully")
    .action(async () => {
      const settings = settingsFromFlags({});
      await stopServer(settings);
    });

  server
    .command("restart")
    .description("stop the running server, then start one in the background")
    .option("--port <port>", "port to listen on")
    .option("--host <host>", "address to bind")
    .action(async (flags: ServerFlags) => {
      const settings = settingsFromFlags(flags);
      // Without flags, come back where it was: a server started on --port 0 got a port that
      // clients may already know, and the default port may belong to someone else.
      const paths = homePaths(settings.home);
      const previous = readServerInfo(paths.serverInfo);
      // What the new server will need, checked before the old one stops: a token file it would
      // refuse must not leave the user with no server at all.
      if (settings.auth === "token") readOrCreateToken(paths.token);
      await stopServer(settings);
      const port = flags.port ?? (previous ? String(previous.port) : undefined);
      const host = flags.host ?? previous?.host;
      const args = ["server", "start"];
      if (port !== undefined) args.push("--port", port);
      if (host !== undefined) args.push("--host", host);
      await startDetached(settings, args);
    });

  server
    .command("status")
    .description("show whether a server runs, and what it is doing (exit 3 when none runs)")
    .option("--json", "print the status as JSON")
    .action(async (flags: { json?: boolean }) => {
      process.exitCode = await printServerStatus(settingsFromFlags({}), flags.json === true);
    });
}
