/**
 * `cc-executor cancel <id>`: cancels an execution on the running server, started from anywhere
 * (another shell's `run`, a task step, the MCP server), and waits until it has ended. The id may
 * be a unique prefix. Exit 0 once it is canceled; 2 when it had already ended (nothing is
 * changed, and the message says how it ended); 4 when no execution has that id.
 */
import type { Command } from "commander";
import type { CcExecutorClient } from "../client/client.js";
import { RemoteError } from "../client/errors.js";
import type { ExecutionRecord } from "../store/store.js";
import { CliError } from "./cli-error.js";
import { findRecordedExecution, findServerExecution, isFinalStatus } from "./execution-ref.js";
import { connectRunning } from "./running-server.js";
import { settingsFromFlags } from "./settings-from-flags.js";

const ALREADY_ENDED = 2;
const NOT_FOUND = 4;

export function registerCancelCommand(program: Command): void {
  program
    .command("cancel")
    .description("cancel a running or queued execution (its id or a unique prefix)")
    .argument("<id>", "execution id, or a unique prefix (see: cc-executor ps)")
    .action(async (ref: string) => {
      const settings = settingsFromFlags({});
      const client = await connectRunning(settings);
      if (client) {
        try {
          const found = await findServerExecution(client, ref);
          if (found) {
            if (isFinalStatus(found.status)) throw alreadyEnded(found.execution_id, found);
            await cancelAndWait(client, found.execution_id, found.last_seq);
            return;
          }
        } finally {
          client.close();
        }
      }
      const record = await findRecordedExecution(settings, ref);
      if (!record) throw new CliError(`no execution ${ref}`, NOT_FOUND);
      if (!isFinalStatus(record.status)) {
        // Recorded as under way, yet no running server holds it: its server is gone.
        throw new CliError(
          `execution ${record.executionId} is not running: the server that ran it has stopped`,
          ALREADY_ENDED,
        );
      }
      throw alreadyEnded(record.executionId, endingOf(record));
    });
}

async function cancelAndWait(
  client: CcExecutorClient,
  executionId: string,
  afterSeq: number,
): Promise<void> {
  // Follow it first (output after what exists now is not wanted, only the end), then cancel.
  const stream = client.attach(executionId, afterSeq);
  stream.started.catch(() => {});
  try {
    await client.cancel(executionId);
  } catch (error) {
    // Ended between the lookup and the cancel: say how, as for one that had ended before.
    const data = error instanceof RemoteError ? (error.data as { status?: string }) : undefined;
    if (data?.status && isFinalStatus(data.status)) {
      const result = await stream.result.catch(() => null);
      throw alreadyEnded(executionId, {
        status: result?.status ?? data.status,
        exit_code: result?.exitCode ?? null,
        signal: result?.signal ?? null,
      });
    }
    throw new CliError(error instanceof Error ? error.message : String(error), 125);
  }
  const result = await stream.result.catch((error: Error) => {
    throw new CliError(`canceled ${executionId}, but lost sight of it: ${error.message}`, 125);
  });
  process.stdout.write(
    `canceled ${executionId}${result.status === "canceled" ? "" : ` (it ended ${result.status})`}\n`,
  );
}

interface Ending {
  status: string;
  exit_code: number | null;
  signal: string | null;
}

function endingOf(record: ExecutionRecord): Ending {
  return { status: record.status, exit_code: record.exitCode, signal: record.signal };
}

function alreadyEnded(executionId: string, ending: Ending): CliError {
  const how = [
    ending.status,
    ending.exit_code === null ? null : `exit code ${ending.exit_code}`,
    ending.signal === null ? null : ending.signal,
  ]
    .filter(Boolean)
    .join(", ");
  return new CliError(
    `execution ${executionId} has already ended (${how}); nothing to cancel`,
    ALREADY_ENDED,
  );
}
