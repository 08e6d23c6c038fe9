/**
 * `cc-executor ps`: the executions the running server has under way (running, paused and
 * queued), newest first: a table on a terminal, tab-separated lines when piped, `--json` for
 * scripts. No server running means nothing runs: an empty listing, exit 0.
 */
import type { Command } from "commander";
import type { ExecutionSummary } from "../protocol/results.js";
import { isFinalStatus } from "./execution-ref.js";
import {
  type Column,
  formatDuration,
  renderTable,
  statusColour,
  terminalOf,
} from "./history-format.js";
import { connectRunning } from "./running-server.js";
import { settingsFromFlags } from "./settings-from-flags.js";
import { shortestUniquePrefixes } from "./short-ids.js";

/** Ids on a terminal are cut to this, or longer where that would not be unique. */

export function registerPsCommand(program: Command): void {
  program
    .command("ps")
    .description(
      "running and queued executions on the running server (id, kind, status, age, worker)",
    )
    .option("--json", "print JSON (the executions.list entries)")
    .action(async (flags: { json?: boolean }) => {
      const client = await connectRunning(settingsFromFlags({}));
      let all: ExecutionSummary[] = [];
      if (client) {
        try {
          all = (await client.request("executions.list", { limit: 10_000 })).executions;
        } finally {
          client.close();
        }
      } else if (!flags.json) {
        process.stderr.write("cc-executor: no server is running, so nothing runs\n");
      }
      const active = all.filter((e) => !isFinalStatus(e.status));
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(active, null, 2)}\n`);
        return;
      }
      const terminal = terminalOf(process.stdout);
      if (client && active.length === 0 && terminal.tty) {
        process.stdout.write("nothing running or queued\n");
        return;
      }
      const shortIds = shortestUniquePrefixes(
        active.map((e) => e.execution_id),
        all.map((e) => e.execution_id),
      );
      process.stdout.write(renderTable(columns(shortIds, Date.now()), active, terminal));
    });
}

function columns(shortIds: Map<string, string>, nowMs: number): Column<ExecutionSummary>[] {
  return [
    {
      title: "ID",
      value: (e) => e.execution_id,
      short: (e) => shortIds.get(e.execution_id) ?? e.execution_id,
    },
    { title: "KIND", value: (e) => e.kind },
    { title: "STATUS", value: (e) => e.status, colour: (e) => statusColour(e.status) },
    { title: "AGE", value: (e) => formatDuration(ageMs(e, nowMs)) },
    { title: "PID", value: (e) => (e.pid === null ? "-" : String(e.pid)) },
    // Where the pid lives: `local`, or the worker's name in queue mode (docs/workers.md).
    { title: "WORKER", value: (e) => e.worker_id },
    { title: "COMMAND", value: (e) => e.command, flexible: true },
  ];
}

/** How long it has run; for a queued one, how long it has waited. */
function ageMs(execution: ExecutionSummary, nowMs: number): number {
  const since = Date.parse(execution.started_at ?? execution.submitted_at);
  return Number.isNaN(since) ? 0 : Math.max(0, nowMs - since);
}
