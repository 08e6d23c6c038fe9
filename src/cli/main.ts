#!/usr/bin/env node
/**
 * `cc-executor` (DESIGN §8): one file per command group, wired here.
 *
 * Only the group named on the command line is loaded (all of them for `--help` or an unknown
 * word): a long-lived `server start` then holds none of the client-side commands, and
 * short commands start in about half the time.
 */
import type { Command } from "commander";
import { VERSION } from "../protocol/version.js";
import { requireCjs } from "../runtime/require-cjs.js";
import { dropLauncherEnv } from "../runtime/server-malloc-env.js";
import { plainError } from "./cli-error.js";
import { watchForClosedPipes } from "./closed-pipe.js";

type Register = (program: Command) => void;

const USAGE_EXIT_CODE = 2;

function isCommanderError(error: unknown): error is { code: string; exitCode: number } {
  return error instanceof Error && error.name === "CommanderError";
}

const COMMAND_GROUPS: Record<string, () => Promise<Register>> = {
  server: async () => (await import("./server-command.js")).registerServerCommands,
  run: async () => (await import("./run-command.js")).registerRunCommand,
  token: async () => (await import("./token-command.js")).registerTokenCommand,
  history: async () => (await import("./history-command.js")).registerHistoryCommands,
  doctor: async () => (await import("./doctor-command.js")).registerDoctorCommand,
  claude: async () => (await import("./claude-command.js")).registerClaudeCommand,
  stress: async () => (await import("./stress-command.js")).registerStressCommand,
  tasks: async () => (await import("./tasks-command.js")).registerTasksCommands,
  logs: async () => (await import("./logs-command.js")).registerLogsCommand,
  ps: async () => (await import("./ps-command.js")).registerPsCommand,
  cancel: async () => (await import("./cancel-command.js")).registerCancelCommand,
  init: async () => (await import("./init-command.js")).registerInitCommand,
  mcp: async () => (await import("./mcp-command.js")).registerMcpCommand,
  dashboard: async () => (await import("./dashboard-command.js")).registerDashboardCommand,
  worker: async () => (await import("./worker-command.js")).registerWorkerCommand,
};

function groupsFor(word: string | undefined): Array<() => Promise<Register>> {
  if (word === "--version" || word === "-V") return [];
  const only = word === undefined ? undefined : COMMAND_GROUPS[word];
  return only ? [only] : Object.values(COMMAND_GROUPS);
}

async function main(argv: string[]): Promise<void> {
  // glibc read the launcher's malloc setting when this process started; out of process.env now,
  // so nothing this process starts (commands, hooks, claude, xdg-open) inherits it.
  dropLauncherEnv(process.env);
  watchForClosedPipes();
  const { Command } = requireCjs("commander") as typeof import("commander");
  const program = new Command()
    .name("cc-executor")
    .description("Run Claude Code jobs and shell commands, streaming their output live.")
    .version(VERSION)
    .showHelpAfterError()
    // Usage mistakes exit 2 (a command's own failure is 1), in our voice. Subcommands made
    // after this inherit both settings.
    .exitOverride()
    // Needed for `run`'s pass-through: options are read where they stand on the line.
    .enablePositionalOptions()
    .configureOutput({
      outputError: (text, write) => write(text.replace(/^error: /, "cc-executor: ")),
    });
  for (const load of groupsFor(argv[2])) (await load())(program);
  await program.parseAsync(argv);
}

/** Commander's exits that are not mistakes: help and version shown. */
const COMMANDER_DONE = new Set(["commander.helpDisplayed", "commander.help", "commander.version"]);

main(process.argv).catch((error: unknown) => {
  if (isCommanderError(error)) {
    // Commander has already printed the message (and the help after it).
    process.exit(COMMANDER_DONE.has(error.code) ? error.exitCode : USAGE_EXIT_CODE);
  }
  const plain = plainError(error);
  if (plain) {
    process.stderr.write(`cc-executor: ${plain.message}\n`);
    process.exit(plain.exitCode);
  }
  process.stderr.write(`cc-executor: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
