/**
 * `cc-executor logs [-f] <id>`: an execution's output, from any shell. The running server
 * replays what it holds (`subscribe`: memory window, then the spool); with `-f` the output then
 * goes on live until the execution ends, and the exit code is the execution's, as `run` gives
 * it. Without `-f` it prints what there is and exits: with the execution's code when it has
 * ended, 0 while it still runs. An execution the server no longer holds (or with no server
 * running) is read from the history store. Ctrl-C stops following; the execution goes on.
 */
import type { Command } from "commander";
import type { CcExecutorClient } from "../client/client.js";
import type { ExecutionEvent } from "../client/events.js";
import type { SubscribeResult } from "../protocol/results.js";
import { readRecordedOutput } from "../store/recorded-output.js";
import { CliError } from "./cli-error.js";
import {
  findRecordedExecution,
  findServerExecution,
  isFinalStatus,
  resultOfRecord,
} from "./execution-ref.js";
import { exitCodeOf } from "./run-command.js";
import { connectRunning } from "./running-server.js";
import { settingsFromFlags } from "./settings-from-flags.js";

const NOT_FOUND = 4;
/** From history, at most this much (its first and last halves); `history show --max-bytes` has more. */
const RECORDED_MAX_BYTES = 16 * 1024 * 1024;

export function registerLogsCommand(program: Command): void {
  program
    .command("logs")
    .description("an execution's output so far; -f follows it to its end and exits with its code")
    .argument("<id>", "execution id, or a unique prefix (see: cc-executor ps)")
    .option("-f, --follow", "go on printing live output until it ends; exit with its code")
    .action(async (ref: string, flags: { follow?: boolean }) => {
      const settings = settingsFromFlags({});
      const client = await connectRunning(settings);
      if (client) {
        try {
          const found = await findServerExecution(client, ref);
          if (found) {
            process.exitCode = await fromServer(client, found.execution_id, Boolean(flags.follow));
            return;
          }
        } finally {
          client.close();
        }
      }
      const record = await findRecordedExecution(settings, ref);
      if (!record) throw new CliError(`no execution ${ref}`, NOT_FOUND);
      const output = await readRecordedOutput(record, RECORDED_MAX_BYTES);
      writeData("stdout", output.head, output.encoding === "base64");
      if (output.omittedBytes > 0)
        process.stderr.write(`cc-executor: [${output.omittedBytes} bytes left out here]\n`);
      writeData("stdout", output.tail, output.encoding === "base64");
      if (!isFinalStatus(record.status)) {
        process.stderr.write("cc-executor: the server that ran it has stopped\n");
        process.exitCode = 75;
        return;
      }
      process.exitCode = exitCodeOf(resultOfRecord(record));
    });
}

async function fromServer(
  client: CcExecutorClient,
  executionId: string,
  follow: boolean,
): Promise<number> {
  const stream = client.attach(executionId, 0);
  let base64 = false;
  stream.onNotification((method, params) => {
    if (method === "process.output" && params.encoding === "base64") base64 = true;
  });
  // Closing the client settles these with an error when we stop early: nobody waits for it.
  stream.result.catch(() => {});
  const reply = (await stream.started.catch((error: Error) => {
    throw new CliError(error.message, 125);
  })) as unknown as SubscribeResult;
  // Without -f, a running execution is shown up to where it was when we asked.
  const stopAtSeq = follow || isFinalStatus(reply.status) ? null : reply.last_seq;
  if (stopAtSeq !== null && (stopAtSeq === 0 || reply.first_available_seq > stopAtSeq))
    return notEnded(executionId, reply.status);
  const onInterrupt = () => {
    process.stderr.write(`\ncc-executor: stopped following; ${executionId} goes on\n`);
    process.exit(130);
  };
  process.on("SIGINT", onInterrupt);
  process.on("SIGTERM", onInterrupt);
  try {
    for await (const event of stream) {
      print(event, base64);
      const seq = event.type === "output" ? event.seq : event.type === "gap" ? event.toSeq : null;
      if (stopAtSeq !== null && seq !== null && seq >= stopAtSeq)
        return notEnded(executionId, reply.status);
    }
  } finally {
    process.off("SIGINT", onInterrupt);
    process.off("SIGTERM", onInterrupt);
  }
  return exitCodeOf(
    await stream.result.catch((error: Error) => {
      throw new CliError(error.message, 125);
    }),
  );
}

function notEnded(executionId: string, status: string): number {
  process.stderr.write(
    `cc-executor: ${executionId} is ${status}; follow it with: cc-executor logs -f ${executionId}\n`,
  );
  return 0;
}

function print(event: ExecutionEvent, base64: boolean): void {
  switch (event.type) {
    case "output":
      return writeData(event.stream, event.data, base64);
    case "gap":
      process.stderr.write(
        `cc-executor: [output ${event.fromSeq}–${event.toSeq} was dropped (spool cap)]\n`,
      );
      return;
    case "error":
      process.stderr.write(`cc-executor: ${event.error}\n`);
      return;
    default:
      return;
  }
}

function writeData(stream: "stdout" | "stderr", data: string, base64: boolean): void {
  if (data === "") return;
  const out = stream === "stdout" ? process.stdout : process.stderr;
  out.write(base64 ? Buffer.from(data, "base64") : data);
}
