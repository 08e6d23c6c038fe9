/** `cc-executor server start | stop | status | restart` (DESIGN §8). */
import type { Command } from "commander";
import { readServerInfo } from "../client/server-info.js";
import { homePaths } from "../config/home.js";
import { readToken } from "../config/token.js";
import { CliError } from "./cli-error.js";
import { getJson, probeHealth } from "./health-probe.js";
import { connectHost, startDetached } from "./server-detach.js";
import { runForeground } from "./server-foreground.js";
import { stopServer } from "./server-stop.js";
import { type ServerFlags, settingsFromFlags } from "./settings-from-flags.js";

interface StartFlags extends ServerFlags {
  detach?: boolean;
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
    .action(async (flags: StartFlags) => {
      const settings = settingsFromFlags(flags);
      const running = readServerInfo(homePaths(settings.home).serverInfo);
      if (running && (await probeHealth(connectHost(running.host), running.port)))
        throw new CliError(`a server is already running (pid ${running.pid}, ${running.url})`);
      if (flags.detach) await startDetached(settings, process.argv.slice(2));
      else await runForeground(settings);
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
      await stopServer(settings);
      const args = ["server", "start", "--detach"];
      if (flags.port) args.push("--port", flags.port);
      if (flags.host) args.push("--host", flags.host);
      await startDetached(settings, args);
    });

  server
    .command("status")
    .description("show whether a server runs, and what it is doing (exit 3 when none runs)")
    .option("--json", "print the status as JSON")
    .action(async (flags: { json?: boolean }) => {
      const settings = settingsFromFlags({});
      const paths = homePaths(settings.home);
      const info = readServerInfo(paths.serverInfo);
      if (!info) {
        if (flags.json) process.stdout.write(`${JSON.stringify({ running: false })}\n`);
        else process.stdout.write("cc-executor: no server running\n");
        process.exitCode = 3;
        return;
      }
      const health = (await getJson(
        connectHost(info.host),
        info.port,
        "/health",
        readToken(paths.token),
      )) as Record<string, unknown>;
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ running: true, ...info, health }, null, 2)}\n`);
        return;
      }
      const executions = health.executions as { running: number; queued: number } | undefined;
      process.stdout.write(
        `cc-executor ${info.version} running: pid ${info.pid}, ${info.url}, since ${info.startedAt}\n` +
          `  connections ${health.connections ?? "?"}, executions running ${executions?.running ?? "?"}, ` +
          `queued ${executions?.queued ?? "?"}, rss ${Math.round(Number(health.rss_bytes ?? 0) / 1048576)} MiB\n`,
      );
    });
}
