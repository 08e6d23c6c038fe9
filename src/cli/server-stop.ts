/** `server stop`: SIGTERM to the recorded server, then wait for it to finish its graceful stop. */

import { processAlive, readServerInfo } from "../client/server-info.js";
import { homePaths } from "../config/home.js";
import type { Settings } from "../config/settings.js";
import { CliError } from "./cli-error.js";

export async function stopServer(settings: Settings): Promise<void> {
  const info = readServerInfo(homePaths(settings.home).serverInfo);
  if (!info) {
    process.stdout.write("cc-executor: no server running\n");
    return;
  }
  process.kill(info.pid, "SIGTERM");
  // Executions get the kill grace to end; allow that plus time to close sockets.
  const deadline = Date.now() + settings.killGraceMs + settings.drainMs + 10_000;
  while (Date.now() < deadline) {
    if (!processAlive(info.pid)) {
      process.stdout.write(`cc-executor: stopped server pid ${info.pid}\n`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new CliError(`server pid ${info.pid} did not stop in time`);
}
