/**
 * `cc-executor tasks run <file> | resume <id> | watch <id> | status [id] | list | cancel <id> |
 * check <file>`
 * (DESIGN §7, §8, docs/tasks.md). `run` and `resume` use the running server, or one inside this
 * process; they show live progress and exit 0 when every task completed, 1 when one failed,
 * 130 when canceled (Ctrl-C cancels), 75 when the server stopped, 2 for a bad list.
 * `status` and `list` read the store, so they need no server.
 */

import { resolve } from "node:path";
import type { Command } from "commander";
import { ConnectionLostError, RemoteError } from "../client/errors.js";
import type { TaskListRun, TaskListSummary } from "../client/task-list-run.js";
import { homePaths } from "../config/home.js";
import { ErrorCode } from "../protocol/errors.js";
import { openStore } from "../store/open-store.js";
import type { Store } from "../store/store.js";
import { StoreUnavailableError } from "../store/store-errors.js";
import { TASK_RUN_STATUSES, type TaskRunStatus } from "../store/task-run-record.js";
import { currentServerIdentity as identity } from "../supervisor/process/proc-stat.js";
import { loadTaskListFile } from "../tasks/load-task-list.js";
import { asSeenNow } from "../tasks/run-liveness.js";
import { TaskListError } from "../tasks/task-list-error.js";
import { toRunSummary, toRunWire } from "../tasks/task-run-wire.js";
import { cancelOnInterrupt, stopWatchingOnInterrupt } from "./cancel-on-interrupt.js";
import { CliError } from "./cli-error.js";
import { whenPipeCloses } from "./closed-pipe.js";
import { type ClientSession, connectOrStart } from "./connect-or-start.js";
import { renderTable, terminalOf } from "./history-format.js";
import { settingsFromFlags } from "./settings-from-flags.js";
import { progressFor } from "./task-progress.js";
import { RUN_COLUMNS, renderRun } from "./tasks-status.js";

interface FollowFlags {
  json?: boolean;
  output: boolean;
}

const EXIT: Record<string, number> = { completed: 0, failed: 1, canceled: 130, interrupted: 75 };
/** A bad list, or a request that cannot be (resume of a completed run, cancel of an ended one). */
const USAGE = 2;
const NOT_FOUND = 4;
const OWN_FAILURE = 125;
/** As `run` and `claude` exit when the server stops under them. */
const SERVER_STOPPED = 75;

export function registerTasksCommands(program: Command): void {
  const tasks = program
    .command("tasks")
    .description("durable sequential task lists: Claude tasks and shell commands, in order");

  tasks
    .command("run")
    .description("run a task list file (.md, .json, .yaml), showing its progress")
    .argument("<file>", "the task list")
    .option("--json", "print one JSON object per event")
    .option("--no-output", "do not show the steps' output")
    .option("--detach", "start it on the running server and return (it runs on)")
    .option("--run-id <id>", "choose the run id")
    .action(async (file: string, flags: FollowFlags & { detach?: boolean; runId?: string }) => {
      const path = resolve(file);
      await checkList(path);
      process.exitCode = await follow(flags, Boolean(flags.detach), (session) =>
        session.client.runTaskList(path, { runId: flags.runId, streamOutput: flags.output }),
      );
    });

  tasks
    .command("resume")
    .description("continue a stopped run at its first unfinished task")
    .argument("<id>", "run id (or a unique prefix)")
    .option("--json", "print one JSON object per event")
    .option("--no-output", "do not show the steps' output")
    .action(async (id: string, flags: FollowFlags) => {
      process.exitCode = await follow(flags, false, (session) =>
        session.client.resumeTaskList(id, { streamOutput: flags.output }),
      );
    });

  tasks
    .command("watch")
    .description("show the live progress of a run started elsewhere (--detach, MCP) to its end")
    .argument("<id>", "run id (or a unique prefix)")
    .option("--json", "print one JSON object per event")
    .option("--no-output", "do not show the steps' output")
    .action(async (id: string, flags: FollowFlags) => {
      // Ctrl-C stops watching; the run is not ours to cancel (tasks cancel does that).
      process.exitCode = await follow(
        flags,
        false,
        (session) => session.client.watchTaskList(id, { streamOutput: flags.output }),
        "detach",
      );
    });

  tasks
    .command("status")
    .description("one run: its tasks, their status, results and cost (default: the latest run)")
    .argument("[id]", "run id (or a unique prefix)")
    .option("--json", "print JSON")
    .action((id: string | undefined, flags: { json?: boolean }) =>
      withStore(async (store, runsRoot) => {
        const record = id
          ? await store.getTaskRun(await findRunId(store, id))
          : ((await store.listTaskRuns({ limit: 1 }))[0] ?? null);
        if (!record) throw new CliError(id ? `no task run ${id}` : "no task runs yet", NOT_FOUND);
        const run = toRunWire(asSeenNow(record, identity(), Date.now()), runsRoot);
        if (flags.json) process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
        else process.stdout.write(renderRun(run, terminalOf(process.stdout)));
      }),
    );

  tasks
    .command("list")
    .description("recent runs, newest first")
    .option("--limit <n>", "how many", "20")
    .option("--status <list>", `only these (${TASK_RUN_STATUSES.join(", ")})`)
    .option("--json", "print JSON")
    .action((flags: { limit: string; status?: string; json?: boolean }) =>
      withStore(async (store, runsRoot) => {
        const limit = Number(flags.limit);
        if (!Number.isInteger(limit) || limit <= 0)
          throw new CliError(`--limit: expected a positive integer, got ${flags.limit}`, USAGE);
        const records = await store.listTaskRuns({ limit, statuses: statusesOf(flags.status) });
        const here = identity();
        const runs = records.map((record) =>
          toRunSummary(asSeenNow(record, here, Date.now()), runsRoot),
        );
        if (flags.json) process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
        else process.stdout.write(renderTable(RUN_COLUMNS, runs, terminalOf(process.stdout)));
      }),
    );

  tasks
    .command("cancel")
    .description("cancel a run (its current step is stopped; resume continues it later)")
    .argument("<id>", "run id (or a unique prefix)")
    .action(async (id: string) => {
      const session = await connectOrStart(settingsFromFlags({})).catch(ownFailure);
      try {
        const run = await session.client.request("tasks.cancel", { run_id: id });
        process.stdout.write(`run ${run.run_id} ${run.status}\n`);
      } catch (error) {
        ownFailure(error);
      } finally {
        await session.close();
      }
    });

  tasks
    .command("check")
    .description("read a task list file and say what would run, without running it")
    .argument("<file>", "the task list")
    .action(async (file: string) => {
      const list = await checkList(resolve(file));
      process.stdout.write(`${list.sourcePath}: ${list.tasks.length} tasks\n`);
      for (const task of list.tasks) {
        const what = task.kind === "command" ? "command" : "claude ";
        const text = (task.name ?? task.text.split("\n")[0] ?? "").slice(0, 100);
        process.stdout.write(`  ${task.index + 1}. ${what} ${text}\n`);
      }
    });
}

/** Reads the list here first: a bad file is reported before any server starts. */
async function checkList(path: string) {
  try {
    return await loadTaskListFile(path);
  } catch (error) {
    if (error instanceof TaskListError) {
      throw new CliError(`invalid task list\n${error.describe()}`, USAGE);
    }
    throw error;
  }
}

/** Starts (or resumes) a run and shows it to its end; the exit code says how it ended. */
async function follow(
  flags: FollowFlags,
  detach: boolean,
  start: (session: ClientSession) => TaskListRun,
  onInterrupt: "cancel" | "detach" = "cancel",
): Promise<number> {
  const session = await connectOrStart(settingsFromFlags({})).catch(ownFailure);
  if (detach && session.server) {
    await session.close();
    throw new CliError(
      "--detach needs a running server (start one with: cc-executor server start --detach)",
      2,
    );
  }
  const run = start(session);
  if (detach) {
    try {
      const started = await run.started;
      process.stdout.write(
        `run ${started.run_id} started (${started.total} tasks)\n` +
          `watch it:   cc-executor tasks watch ${started.run_id}\n` +
          `status:     cc-executor tasks status ${started.run_id}\n` +
          `cancel it:  cc-executor tasks cancel ${started.run_id}\n`,
      );
      return 0;
    } catch (error) {
      return ownFailure(error);
    } finally {
      await session.close();
    }
  }
  // A reader that goes away (`| head`) silences the progress, never the run.
  let muted = false;
  const stopWatchingPipe = whenPipeCloses(() => {
    muted = true;
  });
  const out = {
    isTTY: process.stdout.isTTY,
    get columns() {
      return process.stdout.columns;
    },
    write: (text: string) => muted || process.stdout.write(text),
  };
  const progress = progressFor(Boolean(flags.json), out, { output: flags.output });
  const stopListening =
    onInterrupt === "cancel"
      ? cancelOnInterrupt(
          () => run.cancel(),
          "\ncc-executor: canceling the run (Ctrl-C again to quit at once)\n",
        )
      : stopWatchingOnInterrupt(() => progress.close());
  try {
    for await (const event of run) progress.event(event);
    const summary: TaskListSummary = await run.result.catch((error: unknown) =>
      ownFailure(lostServer(error, run.id)),
    );
    return EXIT[summary.status] ?? 1;
  } finally {
    progress.close();
    stopWatchingPipe();
    stopListening();
    await session.close();
  }
}

/** The server went away for good while the run was followed: say where the run stands. */
function lostServer(error: unknown, runId: string | null): unknown {
  if (!(error instanceof ConnectionLostError) || runId === null) return error;
  return new CliError(
    `lost the server while run ${runId} ran: ${error.message}\n` +
      `see where it stands: cc-executor tasks status ${runId}\n` +
      `continue it with: cc-executor tasks resume ${runId}`,
    SERVER_STOPPED,
  );
}

/**
 * The server refused — a bad list or request (a usage mistake: 2), an unknown run (4) — or the
 * connection is gone: our failure (125).
 */
function ownFailure(error: unknown): never {
  if (error instanceof CliError) throw error;
  if (error instanceof RemoteError) {
    const exitCode =
      error.code === ErrorCode.InvalidParams
        ? USAGE
        : error.code === ErrorCode.ExecutionNotFound
          ? NOT_FOUND
          : OWN_FAILURE;
    throw new CliError(error.message, exitCode);
  }
  if (error instanceof ConnectionLostError) throw new CliError(error.message, OWN_FAILURE);
  throw error;
}

async function findRunId(store: Store, id: string): Promise<string> {
  if (await store.getTaskRun(id)) return id;
  const matches = await store.findTaskRunIds(id, 5);
  if (matches.length === 1) return matches[0] as string;
  if (matches.length > 1)
    throw new CliError(`${id} matches several runs: ${matches.join(", ")}…`, USAGE);
  throw new CliError(`no task run ${id}`, NOT_FOUND);
}

function statusesOf(value: string | undefined): TaskRunStatus[] | undefined {
  if (value === undefined) return undefined;
  return value.split(",").map((raw) => {
    const status = raw.trim() as TaskRunStatus;
    if (!TASK_RUN_STATUSES.includes(status))
      throw new CliError(
        `--status: unknown status ${raw} (${TASK_RUN_STATUSES.join(", ")})`,
        USAGE,
      );
    return status;
  });
}

async function withStore(action: (store: Store, runsRoot: string) => Promise<void>) {
  const settings = settingsFromFlags({});
  const store = await openStore(settings).catch((error: unknown) => {
    if (error instanceof StoreUnavailableError) throw new CliError(error.message);
    throw error;
  });
  try {
    await action(store, homePaths(settings.home).runs);
  } finally {
    await store.close();
  }
}
