#!/usr/bin/env node
// `npm run demo`: runs an example task list end to end through cc-executor, with live progress.
//
// With a Claude Code CLI that is logged in (or an API key in api-key mode) it runs
// examples/basic/tasks.md: three dependent Claude tasks, each a fresh `claude` process. With the
// CLI but no login it says so plainly and runs the same tasks through the real CLI against the
// offline model (cc-executor's mock of the Messages API with scripted answers), in a fresh
// folder and home; then it shows how to use a real model. Without any Claude CLI it runs the
// command-only example (examples/commands/tasks.json). Exits with the list's code.
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
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
let offline = null;
let work = null;
const env = { ...process.env };
if (claude && auth.ok) {
  say(`Claude Code CLI: ${claude.path} (${auth.why}).`);
  say(`Running ${relative(ROOT, BASIC)}: three dependent Claude tasks, each a fresh claude.`);
  if (claude.local) env.CC_EXECUTOR_CLAUDE_BIN = claude.path;
} else if (claude) {
  say("no Claude login found: using the offline model (scripted answers)");
  say(`  Claude Code CLI: ${claude.path}, ${auth.why}.`);
  say("  Each task still runs that real claude CLI as a fresh process, with real tool calls on");
  say("  real files; only the model's answers are scripted (cc-executor's built-in mock of the");
  say("  Messages API, on this machine). Costs shown are the CLI's arithmetic on the mock's");
  say("  token counts: nothing is billed.");
  const { startOfflineModel } = await import("../dist/testing/offline-model.js");
  const { installDemoModel } = await import("../dist/testing/demo-model.js");
  offline = await startOfflineModel(installDemoModel, "cc-executor-demo-claude-");
  // A fresh folder (the tasks' files) and cc-executor home (this run's history), so the demo
  // starts clean every time and its server gets the offline model's environment.
  work = mkdtempSync(join(tmpdir(), "cc-executor-demo-"));
  list = join(work, "basic", "tasks.md");
  mkdirSync(join(work, "basic", "workspace"), { recursive: true });
  copyFileSync(BASIC, list);
  Object.assign(env, offline.env, {
    CC_EXECUTOR_HOME: join(work, "home"),
    CC_EXECUTOR_CLAUDE_AUTH: "api-key",
    CC_EXECUTOR_CLAUDE_BIN: claude.path,
  });
  delete env.CC_EXECUTOR_URL;
  say(`Running ${relative(ROOT, BASIC)} in ${work}/basic: three dependent Claude tasks.`);
} else {
  list = COMMANDS;
  say(
    "Claude Code CLI: not found (not on PATH, no node_modules/.bin/claude, no CC_EXECUTOR_CLAUDE_BIN).",
  );
  say(`So the Claude tasks are skipped. Running ${relative(ROOT, COMMANDS)} instead:`);
  say("the same service and durable runner, with shell commands only.");
}
say();

const code = await run([CLI, "tasks", "run", list], env);
await offline?.close();

if (work) {
  say();
  say(`The tasks' files are in ${work}/basic/workspace; this run's history:`);
  say(`  CC_EXECUTOR_HOME=${work}/home npx cc-executor tasks status`);
}
if (list !== BASIC) {
  say();
  say(bold("To run the Claude tasks with a real model (examples/basic, examples/advanced):"));
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
