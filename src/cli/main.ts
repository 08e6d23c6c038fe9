#!/usr/bin/env node
/** `cc-executor` (DESIGN §8): one file per command group, wired here. */
import { Command } from "commander";
import { VERSION } from "../protocol/version.js";
import { CliError } from "./cli-error.js";
import { registerHistoryCommands } from "./history-command.js";
import { registerRunCommand } from "./run-command.js";
import { registerServerCommands } from "./server-command.js";
import { registerTokenCommand } from "./token-command.js";

const program = new Command()
  .name("cc-executor")
  .description("Run Claude Code jobs and shell commands, streaming their output live.")
  .version(VERSION)
  .showHelpAfterError();

registerServerCommands(program);
registerRunCommand(program);
registerTokenCommand(program);
registerHistoryCommands(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CliError) {
    process.stderr.write(`cc-executor: ${error.message}\n`);
    process.exit(error.exitCode);
  }
  process.stderr.write(`cc-executor: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
