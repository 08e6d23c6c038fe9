/**
 * `cc-executor dashboard`: asks the running server for a one-time login link (`dashboard.code`,
 * with the token), prints it, and on a desktop opens it in the browser (DESIGN §14).
 */
import { spawn } from "node:child_process";
import type { Command } from "commander";
import { CliError } from "./cli-error.js";
import { connectRunning } from "./running-server.js";
import { settingsFromFlags } from "./settings-from-flags.js";

export function registerDashboardCommand(program: Command): void {
  program
    .command("dashboard")
    .description("print (and on a desktop open) a one-time login link to the dashboard")
    .option("--no-open", "only print the link, even on a desktop")
    .action(async (flags: { open: boolean }) => {
      const client = await connectRunning(settingsFromFlags({}));
      if (!client)
        throw new CliError("no server is running; start one with `cc-executor server start`");
      let url: string;
      try {
        url = (await client.request("dashboard.code", {})).url;
      } finally {
        client.close();
      }
      process.stdout.write(`${url}\n`);
      if (flags.open && canOpenBrowser()) openInBrowser(url);
    });
}

/** A desktop session with xdg-open: otherwise (ssh, CI, a server) printing is all we do. */
function canOpenBrowser(): boolean {
  return (
    Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY) && process.platform === "linux"
  );
}

function openInBrowser(url: string): void {
  const child = spawn("xdg-open", [url], { stdio: "ignore", detached: true });
  // Opening is a courtesy: a missing xdg-open leaves the printed link.
  child.on("error", () => {});
  child.unref();
}
