/** `cc-executor worker --redis URL`: take executions from a queue-mode server (docs/workers.md). */
import type { Command } from "commander";
import { ExecutionWorker } from "../workers/worker.js";
import { CliError } from "./cli-error.js";
import { settingsFromFlags } from "./settings-from-flags.js";

interface WorkerFlags {
  redis?: string;
  concurrency: string;
  name?: string;
  prefix?: string;
  drainOnSigterm?: boolean;
}

export function registerWorkerCommand(program: Command): void {
  program
    .command("worker")
    .description("run executions for a server started with --queue (no token, no port)")
    .option("--redis <url>", "the queue's Redis (default: CC_EXECUTOR_QUEUE_URL)")
    .option("--concurrency <n>", "executions run at once", "4")
    .option("--name <name>", "this worker's id in status and history (default <hostname>:<pid>)")
    .option(
      "--prefix <prefix>",
      "the queue's key prefix (default: CC_EXECUTOR_QUEUE_PREFIX or cc-executor)",
    )
    .option(
      "--drain-on-sigterm",
      "on SIGTERM let running executions finish (default: interrupt them)",
    )
    .action(async (flags: WorkerFlags) => {
      const settings = settingsFromFlags({});
      const redisUrl = flags.redis ?? settings.queueUrl;
      if (!redisUrl)
        throw new CliError("worker: --redis <url> is required (or CC_EXECUTOR_QUEUE_URL)", 2);
      const concurrency = Number.parseInt(flags.concurrency, 10);
      if (
        !Number.isInteger(concurrency) ||
        concurrency < 1 ||
        String(concurrency) !== flags.concurrency.trim()
      )
        throw new CliError(
          `--concurrency: expected a whole number ≥ 1, got ${flags.concurrency}`,
          2,
        );
      if (flags.name !== undefined && flags.name.trim() === "")
        throw new CliError("--name: must not be empty", 2);
      const serverGoneAfterMs = testServerGoneAfterMs();
      const log = (message: string) =>
        process.stderr.write(`${new Date().toISOString()} cc-executor worker: ${message}\n`);
      const worker = new ExecutionWorker({
        redisUrl,
        prefix: flags.prefix ?? settings.queuePrefix,
        concurrency,
        name: flags.name,
        drainOnStop: flags.drainOnSigterm === true,
        ...(serverGoneAfterMs === undefined ? {} : { serverGoneAfterMs }),
        settings,
        log,
      });
      // Before start: a job may begin before start() resolves, and a SIGTERM then must drain it.
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) {
          log(`${signal} again, exiting now`);
          process.exit(1);
        }
        stopping = true;
        log(
          `${signal}: ${flags.drainOnSigterm ? "letting running executions finish" : "interrupting running executions"}`,
        );
        void worker.stop().then(
          () => process.exit(0),
          (error: Error) => {
            log(`stopping failed: ${error.message}`);
            process.exit(1);
          },
        );
      };
      process.on("SIGTERM", () => stop("SIGTERM"));
      process.on("SIGINT", () => stop("SIGINT"));
      try {
        await worker.start();
      } catch (error) {
        await worker.abandon();
        throw new CliError(`worker: ${(error as Error).message}`);
      }
      log(`${worker.id} taking jobs (concurrency ${concurrency})`);
    });
}

/**
 * Test-only (docs/workers.md): CC_EXECUTOR_TEST_SERVER_GONE_AFTER_MS shortens how long a dead
 * server's liveness key must be missing before its jobs are interrupted (default 15 s).
 */
function testServerGoneAfterMs(): number | undefined {
  const raw = process.env.CC_EXECUTOR_TEST_SERVER_GONE_AFTER_MS;
  if (raw === undefined || raw === "") return undefined;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 0)
    throw new CliError(
      `CC_EXECUTOR_TEST_SERVER_GONE_AFTER_MS: expected whole ms ≥ 0, got ${raw}`,
      2,
    );
  return ms;
}
