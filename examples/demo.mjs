#!/usr/bin/env node
// `npm run demo`: runs an example task list end to end through cc-executor, with live progress.
//
// With a Claude Code CLI that is logged in (or an API key in api-key mode) it runs
// examples/basic/tasks.md: three dependent Claude tasks, each a fresh `claude` process. Without
// one it says so plainly, runs the command-only example (examples/commands/tasks.json) through
// the same service and runner, and shows how to run the Claude tasks. Exits with the list's code.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
// The `cc-executor` command as installed (it runs the bundle in dist/command/).
const CLI = join(ROOT, "bin", "cc-executor.mjs");
const BUNDLE = join(ROOT, "dist", "command", "main.js");
const BASIC = join(ROOT, "examples", "basic", "tasks.md");
const COMMANDS = join(ROOT, "examples", "commands", "tasks.json");

const bold = (text) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);
const say = (text = "") => process.stdout.write(`${text}\n`);

if (!existsSync(BUNDLE)) {
  say("cc-executor is not built yet: run `npm ci` (or `npm run build`) first.");
  process.exit(1);
}

const { findClaude, claudeAuth } = await import("../dist/claude/claude-login.js");
const authMode = process.env.CC_EXECUTOR_CLAUDE_AUTH === "api-key" ? "api-key" : "subscription";
const claude = findClaude(process.env.CC_EXECUTOR_CLAUDE_BIN || null, ROOT);
const auth = claude ? claudeAuth(claude.path, authMode) : { ok: false, why: "not found" };

say(bold("cc-executor demo: a task list, run in order through the service"));
let list = BASIC;
const env = { ...process.env };
if (claude && auth.ok) {
  say(`Claude Code CLI: ${claude.path} (${auth.why}).`);
  say(`Running ${relative(ROOT, BASIC)}: three dependent Claude tasks, each a fresh claude.`);
  if (claude.local) env.CC_EXECUTOR_CLAUDE_BIN = claude.path;
} else {
  list = COMMANDS;
  if (!claude) {
    say(
      "Claude Code CLI: not found (not on PATH, no node_modules/.bin/claude, no CC_EXECUTOR_CLAUDE_BIN).",
    );
  } else {
    say(`Claude Code CLI: ${claude.path} is installed but ${auth.why}.`);
  }
  say(`So the Claude tasks are skipped. Running ${relative(ROOT, COMMANDS)} instead:`);
  say("the same service and durable runner, with shell commands only.");
}
say();

const code = await run([CLI, "tasks", "run", list], env);

if (list === COMMANDS) {
  say();
  say(bold("To run the Claude tasks (examples/basic, examples/advanced):"));
  say(
    "  1. Log in to Claude Code once:  npx claude   (then /login; a Claude Max or Pro plan works)",
  );
  say(
    "     or use an API key:            export ANTHROPIC_API_KEY=sk-ant-…  CC_EXECUTOR_CLAUDE_AUTH=api-key",
  );
  say("  2. Then:                         npm run demo");
  say("     or:                           npx cc-executor tasks run examples/basic/tasks.md");
}
process.exit(code);

function run(args, childEnv) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: childEnv, stdio: "inherit" });
    // Ctrl-C reaches the CLI too (same process group); it cancels the run and exits.
    process.on("SIGINT", () => {});
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 130 : 1)));
  });
}
