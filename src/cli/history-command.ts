/**
 * `cc-executor history list | show <id> | stats | export --format json|csv` (DESIGN §8). Reads
 * the store directly (SQLite in the home, or Redis when REDIS_URL is set), so it works whether
 * or not a server runs.
 */

import { once } from "node:events";
import { createWriteStream } from "node:fs";
import type { Writable } from "node:stream";
import type { Command } from "commander";
import { ExecutionStatus } from "../protocol/methods.js";
import { openStore } from "../store/open-store.js";
import { toWireExecution, toWireStats, type WireExecution } from "../store/record-wire.js";
import { readRecordedOutput } from "../store/recorded-output.js";
import type { ExecutionKind, ExecutionRecord, HistoryQuery, Store } from "../store/store.js";
import { StoreUnavailableError } from "../store/store-errors.js";
import { parseSince } from "../store/time-spec.js";
import { CliError } from "./cli-error.js";
import { recordedExecutionIn } from "./execution-ref.js";
import { printExecution, printStats } from "./history-details.js";
import {
  type Column,
  CSV_COLUMNS,
  csvLine,
  formatDuration,
  formatTime,
  renderTable,
  statusColour,
  type Terminal,
  terminalOf,
} from "./history-format.js";
import { settingsFromFlags } from "./settings-from-flags.js";
import { shortestUniquePrefixes } from "./short-ids.js";

interface FilterFlags {
  status?: string;
  kind?: string;
  since?: string;
}

const EXPORT_PAGE = 1000;

export function registerHistoryCommands(program: Command): void {
  const history = program
    .command("history")
    .description("past executions, read from the history store (no server needed)");

  withFilters(history.command("list").description("recent executions, newest first"))
    .option("--limit <n>", "how many", "20")
    .option("--json", "print JSON")
    .action((flags: FilterFlags & { limit: string; json?: boolean }) =>
      withStore(async (store) => {
        const query = { ...filtersOf(flags), limit: positiveInt(flags.limit, "--limit") };
        const rows = (await store.listExecutions(query)).map(toWireExecution);
        if (flags.json) return print(`${JSON.stringify(rows, null, 2)}\n`);
        print(historyTable(rows, terminalOf(process.stdout)));
      }),
    );

  history
    .command("show")
    .description("one execution: its record and its output")
    .argument("<id>", "execution id")
    .option("--json", "print JSON")
    .option("--max-bytes <n>", "output shown at most (first and last halves)", "1048576")
    .option("--no-output", "leave the output out")
    .option("--raw", "a Claude run's output as its stream-json lines, not as a transcript")
    .action(
      (id: string, flags: { json?: boolean; maxBytes: string; output: boolean; raw?: boolean }) =>
        withStore(async (store) => {
          const record = await findExecution(store, id);
          const output = flags.output
            ? await readRecordedOutput(record, positiveInt(flags.maxBytes, "--max-bytes"))
            : null;
          printExecution(
            toWireExecution(record),
            output,
            Boolean(flags.json),
            terminalOf(process.stdout),
            Boolean(flags.raw),
          );
        }),
    );

  history
    .command("stats")
    .description("counts, durations, costs and the busiest commands")
    .option("--since <time>", "only executions since (ISO time, epoch seconds, or an age: 7d)")
    .option("--top <n>", "command classes to show", "10")
    .option("--json", "print JSON")
    .action((flags: { since?: string; top: string; json?: boolean }) =>
      withStore(async (store) => {
        const stats = await store.stats({
          sinceMs: sinceOf(flags.since),
          topClasses: positiveInt(flags.top, "--top"),
        });
        printStats(toWireStats(stats), Boolean(flags.json), terminalOf(process.stdout));
      }),
    );

  withFilters(history.command("export").description("every matching execution, as JSON or CSV"))
    .requiredOption("--format <format>", "json or csv")
    .option("--output <file>", "write to a file instead of stdout")
    .action((flags: FilterFlags & { format: string; output?: string }) =>
      withStore(async (store) => {
        if (flags.format !== "json" && flags.format !== "csv")
          throw new CliError(`--format: expected json or csv, got ${flags.format}`, 2);
        const out = flags.output
          ? createWriteStream(flags.output, { mode: 0o600 })
          : process.stdout;
        await exportAll(store, filtersOf(flags), flags.format, out);
        if (flags.output) {
          out.end();
          await once(out, "finish");
        }
      }),
    );
}

/** `history list` as a table; on a terminal ids are cut, but never to the same prefix. */
export function historyTable(rows: WireExecution[], terminal: Terminal): string {
  const ids = rows.map((e) => e.execution_id);
  return renderTable(listColumns(shortestUniquePrefixes(ids, ids)), rows, terminal);
}

const listColumns = (shortIds: Map<string, string>): Column<WireExecution>[] => [
  {
    title: "CREATED",
    value: (e) => formatTime(e.created_at),
    short: (e) => formatTime(e.created_at).slice(5),
  },
  {
    title: "ID",
    value: (e) => e.execution_id,
    short: (e) => shortIds.get(e.execution_id) ?? e.execution_id,
  },
  { title: "KIND", value: (e) => e.kind },
  { title: "STATUS", value: (e) => e.status, colour: (e) => statusColour(e.status) },
  { title: "EXIT", value: (e) => (e.exit_code ?? e.signal ?? "-").toString() },
  { title: "DURATION", value: (e) => formatDuration(e.duration_ms) },
  { title: "COST", value: (e) => (e.claude?.cost_usd ? `$${e.claude.cost_usd.toFixed(4)}` : "-") },
  { title: "COMMAND", value: (e) => e.command, flexible: true },
];

async function exportAll(
  store: Store,
  filters: Omit<HistoryQuery, "limit">,
  format: "json" | "csv",
  out: Writable,
): Promise<void> {
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, "drain");
  };
  await write(format === "csv" ? `${csvLine(CSV_COLUMNS.map(([name]) => name))}\n` : "[");
  let first = true;
  for (let offset = 0; ; offset += EXPORT_PAGE) {
    const page = await store.listExecutions({ ...filters, limit: EXPORT_PAGE, offset });
    let text = "";
    for (const record of page) {
      const wire = toWireExecution(record);
      if (format === "csv") text += `${csvLine(CSV_COLUMNS.map(([, get]) => get(wire)))}\n`;
      else text += `${first ? "\n" : ",\n"}${JSON.stringify(wire)}`;
      first = false;
    }
    if (text) await write(text);
    if (page.length < EXPORT_PAGE) break;
  }
  if (format === "json") await write(first ? "]\n" : "\n]\n");
}

/** By exact id, else by a unique id prefix (terminal listings show the first characters). */
async function findExecution(store: Store, id: string): Promise<ExecutionRecord> {
  const record = await recordedExecutionIn(store, id);
  if (!record) throw new CliError(`no execution ${id} in history`, 4);
  return record;
}

function withFilters(command: Command): Command {
  return command
    .option("--status <list>", "only these statuses (comma-separated)")
    .option("--kind <kind>", "command or claude")
    .option("--since <time>", "only executions since (ISO time, epoch seconds, or an age: 7d)");
}

function filtersOf(flags: FilterFlags): Omit<HistoryQuery, "limit"> {
  const filters: Omit<HistoryQuery, "limit"> = { sinceMs: sinceOf(flags.since) };
  if (flags.status) {
    filters.statuses = flags.status.split(",").map((raw) => {
      const parsed = ExecutionStatus.safeParse(raw.trim());
      if (!parsed.success)
        throw new CliError(
          `--status: unknown status ${raw} (${ExecutionStatus.options.join(", ")})`,
          2,
        );
      return parsed.data;
    });
  }
  if (flags.kind !== undefined) {
    if (flags.kind !== "command" && flags.kind !== "claude")
      throw new CliError(`--kind: expected command or claude, got ${flags.kind}`, 2);
    filters.kind = flags.kind as ExecutionKind;
  }
  return filters;
}

function sinceOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseSince(value);
  if (ms === null)
    throw new CliError(
      `--since: expected an ISO time, epoch seconds or an age (7d), got ${value}`,
      2,
    );
  return ms;
}

function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new CliError(`${flag}: expected a positive integer, got ${value}`, 2);
  return n;
}

async function withStore(action: (store: Store) => Promise<void>): Promise<void> {
  const settings = settingsFromFlags({});
  const store = await openStore(settings).catch((error: unknown) => {
    if (error instanceof StoreUnavailableError) throw new CliError(error.message);
    throw error;
  });
  try {
    await action(store);
  } finally {
    await store.close();
  }
}

function print(text: string): void {
  process.stdout.write(text);
}
