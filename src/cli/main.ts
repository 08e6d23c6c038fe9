#!/usr/bin/env node
import { VERSION } from "../protocol/version.js";
/** `cc-executor` (DESIGN §8): one file per command group, wired here. */
import { requireCjs } from "../runtime/require-cjs.js";
import { registerClaudeCommand } from "./claude-command.js";
import { CliError } from "./cli-error.js";
import { registerDoctorCommand } from "./doctor-command.js";
import { registerHistoryCommands } from "./history-command.js";
import { registerRunCommand } from "./run-command.js";
import { registerServerCommands } from "./server-command.js";
import { registerStressCommand } from "./stress-command.js";
import { registerTasksCommands } from "./tasks-command.js";
import { registerTokenCommand } from "./token-command.js";

const { Command } = requireCjs("commander") as typeof import("commander");

const program = new Command()
  .name("cc-executor")
  .description("Run Claude Code jobs and shell commands, streaming their output live.")
  .version(VERSION)
  .showHelpAfterError();

registerServerCommands(program);
registerRunCommand(program);
registerTokenCommand(program);
registerHistoryCommands(program);
registerDoctorCommand(program);
registerClaudeCommand(program);
registerStressCommand(program);
registerTasksCommands(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CliError) {
    process.stderr.write(`cc-executor: ${error.message}\n`);
    process.exit(error.exitCode);
  }
  process.stderr.write(`cc-executor: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
