/**
 * `cc-executor run <command>`: live stdout/stderr on the terminal, and the command's own exit
 * code as ours (DESIGN §8). Ctrl-C cancels the execution and waits for it to end.
 */

import { resolve } from "node:path";
import type { Command } from "commander";
import { ConnectionLostError, RemoteError } from "../client/errors.js";
import type { ExecutionResult } from "../client/events.js";
import { signalNumber } from "../supervisor/process/process-group.js";
import { cancelOnInterrupt } from "./cancel-on-interrupt.js";
import { CliError } from "./cli-error.js";
import { CLOSED_PIPE_EXIT_CODE, pipeClosed, whenPipeCloses } from "./closed-pipe.js";
import { commandLine } from "./command-line.js";
import { connectOrStart } from "./connect-or-start.js";
import { parseSeconds, settingsFromFlags } from "./settings-from-flags.js";

interface RunFlags {
  timeout?: string;
  idleTimeout?: string;
  cwd?: string;
}

export function registerRunCommand(program: Command): void {
  program
    .command("run")
    .description(
      "run a shell command through the server, streaming its output; exits with its code",
    )
    .argument(
      "<command...>",
      "a command line in one word, or the command and its arguments (quoted for you); its own options follow its first word (or --)",
    )
    // `run ls -la`: what follows the command's first word is the command's, as with npx.
    .passThroughOptions()
    .option("--timeout <seconds>", "wall-clock limit")
    .option("--idle-timeout <seconds>", "limit on time without output")
    .option("--cwd <dir>", "working directory (default: the current one)")
    .action(async (words: string[], flags: RunFlags) => {
      process.exitCode = await runCommand(commandLine(words), flags);
    });
}

async function runCommand(command: string, flags: RunFlags): Promise<number> {
  // Flags first: a bad flag should not cost a server start.
  const options = {
    // Resolved here: a running server's own cwd is not the one the user typed the path in.
    cwd: resolve(flags.cwd ?? "."),
    timeoutMs: flags.timeout ? parseSeconds(flags.timeout, "--timeout") * 1000 : undefined,
    idleTimeoutMs: flags.idleTimeout
      ? parseSeconds(flags.idleTimeout, "--idle-timeout") * 1000
      : undefined,
    killOnDisconnect: true,
    // Bytes, not text: binary output comes out exactly as the command wrote it.
    outputEncoding: "base64" as const,
  };
  const settings = settingsFromFlags({});
  const session = await connectOrStart(settings).catch(ownFailure);
  const stream = session.client.stream(command, options);
  const stopListening = cancelOnInterrupt(() => stream.cancel());
  // The reader went away (`| head -1`): cancel the command, end quietly once it has ended.
  const stopWatchingPipe = whenPipeCloses(() => void stream.cancel().catch(() => {}));
  const waitNotice = new QueuedNotice();
  try {
    for await (const event of stream) {
      if (pipeClosed()) continue;
      if (event.type === "queued") waitNotice.queued(event.position);
      else if (event.type === "started") waitNotice.started();
      else if (event.type === "output")
        (event.stream === "stdout" ? process.stdout : process.stderr).write(
          Buffer.from(event.data, "base64"),
        );
      else if (event.type === "error") process.stderr.write(`cc-executor: ${event.error}\n`);
      else if (event.type === "status") process.stderr.write(`cc-executor: ${event.message}\n`);
    }
    const result = await stream.result.catch(ownFailure);
    return pipeClosed() ? CLOSED_PIPE_EXIT_CODE : exitCodeOf(result);
  } finally {
    waitNotice.started();
    stopWatchingPipe();
    stopListening();
    await session.close();
  }
}

/**
 * A person at a terminal is told when the command waits to start (every slot busy, or in queue
 * mode no worker has taken it): one line after a second, not for the brief wait a worker's
 * pick-up takes. Only on a terminal: piped, stderr is the command's own.
 */
class QueuedNotice {
  static readonly AFTER_MS = 1000;
  private timer: NodeJS.Timeout | undefined;

  queued(position: number): void {
    if (!process.stderr.isTTY) return;
    this.timer = setTimeout(() => {
      process.stderr.write(
        `cc-executor: queued (position ${position}): waiting for a free slot or a worker; \`cc-executor ps\` shows what runs\n`,
      );
    }, QueuedNotice.AFTER_MS);
  }

  started(): void {
    clearTimeout(this.timer);
  }
}

/**
 * The server refused the command (missing cwd, empty or disallowed command) or the connection
 * was lost for good: cc-executor's own failure, exit 125 as `timeout` and `env` do, so it is
 * not mistaken for a code of the command.
 */
function ownFailure(error: unknown): never {
  if (error instanceof RemoteError || error instanceof ConnectionLostError)
    throw new CliError(error.message, OWN_FAILURE_EXIT_CODE);
  throw error;
}

const OWN_FAILURE_EXIT_CODE = 125;

/** The command's own code; signals as 128+n like a shell; our endings as documented codes. */
export function exitCodeOf(result: ExecutionResult): number {
  switch (result.status) {
    case "completed":
      return 0;
    case "timed_out":
      process.stderr.write(`cc-executor: timed out (${result.timeoutKind ?? "wall"} limit)\n`);
      return 124;
    case "canceled":
      return 130;
    case "interrupted":
      process.stderr.write("cc-executor: interrupted (the server stopped)\n");
      return 75;
    case "failed":
      if (result.exitCode !== null) return result.exitCode;
      if (result.signal !== null) return 128 + (signalNumber(result.signal) ?? 0);
      process.stderr.write(`cc-executor: ${result.error ?? "failed"}\n`);
      return 127;
  }
}
