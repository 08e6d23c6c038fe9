/**
 * `cc-executor claude <prompt>` (DESIGN §8): a Claude Code run through the server, showing the
 * assistant's text as it is written and tool calls live, then the result, cost and duration
 * (claude-live.ts; piped, stdout holds only the final result, like `claude -p`). Exit code 0 only on
 * success; 1 when the run failed, 124 timed out, 130 canceled (Ctrl-C), 75 interrupted, 125
 * when cc-executor itself could not run it. `--json` prints the CLI's stream-json lines as they
 * come, then one `{"type":"cc_executor.result",…}` line.
 */

import { resolve } from "node:path";
import type { Command } from "commander";
import type { ClaudeOptions, ClaudeResult, ClaudeStreamEvent } from "../client/claude.js";
import { ConnectionLostError, RemoteError } from "../client/errors.js";
import { ErrorCode } from "../protocol/errors.js";
import type { ClaudeEvent } from "../protocol/stream-json.js";
import { cancelOnInterrupt } from "./cancel-on-interrupt.js";
import { livePrinter } from "./claude-live.js";
import { type ClaudePrinter, jsonPrinter } from "./claude-output.js";
import { CliError } from "./cli-error.js";
import { CLOSED_PIPE_EXIT_CODE, pipeClosed, whenPipeCloses } from "./closed-pipe.js";
import { connectOrStart } from "./connect-or-start.js";
import { parseSeconds, settingsFromFlags } from "./settings-from-flags.js";

interface ClaudeFlags {
  model?: string;
  allowedTools?: string;
  maxTurns?: string;
  cwd?: string;
  timeout?: string;
  idleTimeout?: string;
  permissionMode?: string;
  appendSystemPrompt?: string;
  resume?: string;
  retries?: string;
  verifyUuid?: boolean;
  authMode?: string;
  waitForUsageReset?: boolean;
  json?: boolean;
}

export function registerClaudeCommand(program: Command): void {
  program
    .command("claude")
    .description(
      "run a Claude Code prompt through the server: live text and tool calls, then result, cost, duration",
    )
    .argument("<prompt...>", "the prompt (quote it, or put it after --)")
    .option("--model <model>", "model name or alias (sonnet, opus, haiku)")
    .option("--allowed-tools <tools>", "tools Claude may use, comma separated (e.g. Write,Read)")
    .option("--max-turns <n>", "stop after this many turns")
    .option("--cwd <dir>", "working directory (default: the current one)")
    .option("--timeout <seconds>", "wall-clock limit")
    .option("--idle-timeout <seconds>", "limit on time without output")
    .option("--permission-mode <mode>", "e.g. acceptEdits")
    .option("--append-system-prompt <text>", "added to the system prompt")
    .option("--resume <session>", "continue an earlier session")
    .option("--retries <n>", "extra attempts after a recoverable failure")
    .option("--verify-uuid", "ask for a verification UUID and check the answer ends with it")
    .option("--auth-mode <mode>", "subscription (drop ANTHROPIC_API_KEY) or api-key")
    .option("--wait-for-usage-reset", "on a usage limit, wait for its reset and try again")
    .option("--json", "print stream-json lines and a final result object")
    .action(async (words: string[], flags: ClaudeFlags) => {
      const prompt = words.join(" ");
      if (!prompt.trim()) throw new CliError("the prompt is empty: say what Claude should do", 2);
      process.exitCode = await claudeCommand(prompt, flags);
    });
}

function positiveInt(value: string, flag: string, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new CliError(`${flag}: expected an integer ≥ ${min}, got ${value}`, 2);
  return n;
}

/** Flags → SDK options; bad values fail before any server starts. */
export function claudeOptions(flags: ClaudeFlags): ClaudeOptions {
  const options: ClaudeOptions = { cwd: resolve(flags.cwd ?? "."), killOnDisconnect: true };
  if (flags.model) options.model = flags.model;
  if (flags.allowedTools) options.allowedTools = flags.allowedTools;
  if (flags.maxTurns) options.maxTurns = positiveInt(flags.maxTurns, "--max-turns");
  if (flags.timeout) options.timeoutMs = parseSeconds(flags.timeout, "--timeout") * 1000;
  if (flags.idleTimeout)
    options.idleTimeoutMs = parseSeconds(flags.idleTimeout, "--idle-timeout") * 1000;
  if (flags.permissionMode) options.permissionMode = flags.permissionMode;
  if (flags.appendSystemPrompt) options.appendSystemPrompt = flags.appendSystemPrompt;
  if (flags.resume) options.resumeSession = flags.resume;
  if (flags.retries !== undefined) options.retries = positiveInt(flags.retries, "--retries", 0);
  if (flags.verifyUuid) options.verifyUuid = true;
  if (flags.waitForUsageReset) options.waitForUsageReset = true;
  if (flags.authMode !== undefined) {
    if (flags.authMode !== "subscription" && flags.authMode !== "api-key")
      throw new CliError(`--auth-mode: expected subscription or api-key, got ${flags.authMode}`, 2);
    options.authMode = flags.authMode;
  }
  return options;
}

async function claudeCommand(prompt: string, flags: ClaudeFlags): Promise<number> {
  const options = claudeOptions(flags);
  const printer: ClaudePrinter = flags.json ? jsonPrinter() : livePrinter();
  const session = await connectOrStart(settingsFromFlags({})).catch(ownFailure);
  const stream = session.client.claudeStream(prompt, options);
  const stopListening = cancelOnInterrupt(() => stream.cancel());
  // The reader went away (`| head`): cancel the run, end quietly once it has ended.
  const stopWatchingPipe = whenPipeCloses(() => void stream.cancel().catch(() => {}));
  try {
    for await (const item of stream) if (!pipeClosed()) show(printer, item);
    const result = await stream.result.catch(ownFailure);
    return pipeClosed() ? CLOSED_PIPE_EXIT_CODE : exitCodeOf(result);
  } finally {
    printer.close?.();
    stopWatchingPipe();
    stopListening();
    await session.close();
  }
}

function show(printer: ClaudePrinter, item: ClaudeStreamEvent): void {
  switch (item.type) {
    case "claude":
      return printer.event(item.event as ClaudeEvent);
    case "notice":
      return printer.notice(item.notice.method, item.notice.params);
    case "status":
      return printer.status(item.message);
    case "stderr":
      return printer.stderr(item.data);
    case "completed":
      return printer.result(item.result);
    default:
      return;
  }
}

/** The server refused the request as invalid (a usage mistake: 2), or we failed (125). */
function ownFailure(error: unknown): never {
  if (error instanceof RemoteError && error.code === ErrorCode.InvalidParams)
    throw new CliError(error.message.replace(/^Invalid params: /, ""), 2);
  if (error instanceof RemoteError || error instanceof ConnectionLostError)
    throw new CliError(error.message, 125);
  throw error;
}

export function exitCodeOf(result: ClaudeResult): number {
  switch (result.status) {
    case "completed":
      return 0;
    case "timed_out":
      return 124;
    case "canceled":
      return 130;
    case "interrupted":
      return 75;
    case "failed":
      return 1;
  }
}
