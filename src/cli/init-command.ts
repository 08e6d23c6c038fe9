/**
 * `cc-executor init` (DESIGN §8): sets up a home in one step — the home (0700) and its token
 * (0600), as `token` and `server start` make them; a commented `cc-executor.config.json` in the
 * home (0600: it may come to hold a Redis password), never over an existing one unless --force;
 * the checks of `doctor` that decide what works next (node, the Claude CLI and its login); and
 * the next three commands to type. Exit 0 when set up (a missing Claude login is a warning:
 * shell commands work without it), 1 when the config exists and --force was not given.
 */
import { chmodSync, existsSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { CONFIG_FILE_NAME, CONFIG_TEMPLATE } from "../config/config-template.js";
import { ensureHome } from "../config/home.js";
import { defaultHome } from "../config/load-settings.js";
import { Settings } from "../config/settings.js";
import { readOrCreateToken } from "../config/token.js";
import { CliError } from "./cli-error.js";
import { type CheckLevel, type CheckResult, checkClaude, checkNode } from "./doctor-checks.js";
import { settingsFromFlags } from "./settings-from-flags.js";

const MARK: Record<CheckLevel, string> = { ok: "✓", warn: "!", fail: "✗" };

export function registerInitCommand(program: Command): void {
  program
    .command("init")
    .description("set up the home: token, a commented config file, checks, and what to run next")
    .option("--force", "replace an existing cc-executor.config.json in the home")
    .action((flags: { force?: boolean }) => {
      const settings = settingsOrDefaults(Boolean(flags.force));
      const configPath = join(settings.home, CONFIG_FILE_NAME);
      if (existsSync(configPath) && !flags.force)
        throw new CliError(
          `${configPath} exists already; it is left as it is ` +
            "(cc-executor init --force replaces it with a fresh commented one)",
        );
      const lines: string[] = [];
      const tightened = tightenHome(settings.home);
      const paths = ensureHome(settings.home);
      lines.push(`✓ home    ${paths.root} (0700)${tightened ? `, was ${tightened}` : ""}`);
      const { created } = readOrCreateToken(paths.token);
      lines.push(`✓ token   ${paths.token} (0600)${created ? "" : ", kept as it was"}`);
      writeConfig(configPath);
      lines.push(`✓ config  ${configPath} (every setting commented out at its default)`);
      const cwdConfig = join(process.cwd(), CONFIG_FILE_NAME);
      if (cwdConfig !== configPath && existsSync(cwdConfig))
        lines.push(`! config  ${cwdConfig} is read instead while you work in this directory`);
      const checks = [checkNode(), checkClaude(settings)];
      for (const check of checks) lines.push(checkLine(check));
      process.stdout.write(`${lines.join("\n")}\n\nnext:\n${nextCommands(checks)}`);
    });
}

/** The settings as they load; with --force, a config file too broken to load is no obstacle. */
function settingsOrDefaults(force: boolean): Settings {
  try {
    return settingsFromFlags({});
  } catch (error) {
    if (!force || !(error instanceof CliError)) throw error;
    return Settings.parse({ home: defaultHome() });
  }
}

/** A home others can enter is made private; returns its old mode (octal) when it changed it. */
function tightenHome(home: string): string | null {
  if (!existsSync(home)) return null;
  const mode = statSync(home).mode & 0o777;
  if ((mode & 0o077) === 0) return null;
  chmodSync(home, mode & 0o700);
  return mode.toString(8);
}

/** Written whole or not at all: a staging file renamed over the name. */
function writeConfig(path: string): void {
  const staging = `${path}.${process.pid}.new`;
  writeFileSync(staging, CONFIG_TEMPLATE, { mode: 0o600 });
  renameSync(staging, path);
}

function checkLine(check: CheckResult): string {
  return `${MARK[check.level]} ${check.name.padEnd(7)} ${check.message}`;
}

function nextCommands(checks: CheckResult[]): string {
  const claudeReady = checks.find((c) => c.name === "claude")?.level === "ok";
  const commands: Array<[string, string]> = [
    ["cc-executor server start --detach", "start the server in the background"],
    ["cc-executor run 'echo hello'", "run a shell command through it"],
    claudeReady
      ? ['cc-executor claude "Say hello in five words"', "a Claude Code run, streamed"]
      : ["cc-executor doctor", "after logging in to Claude Code (claude, then /login)"],
  ];
  const width = Math.max(...commands.map(([command]) => command.length));
  return commands.map(([command, why]) => `  ${command.padEnd(width)}   # ${why}\n`).join("");
}
