/** `history show` and `history stats` output, for people and (with --json) for programs. */

import { toWireOutput, type toWireStats, type WireExecution } from "../store/record-wire.js";
import type { OutputView } from "../store/recorded-output.js";
import { claudeTranscript } from "./claude-transcript.js";
import {
  type Column,
  formatBytes,
  formatDuration,
  formatTime,
  renderTable,
  statusColour,
  type Terminal,
} from "./history-format.js";
import { paint } from "./terminal-style.js";

type WireStats = ReturnType<typeof toWireStats>;

export function printExecution(
  e: WireExecution,
  output: OutputView | null,
  json: boolean,
  terminal: Terminal,
  /** A Claude run's output as its stream-json lines, not as a transcript. */
  raw = false,
): void {
  if (json) {
    const value = { execution: e, output: output && toWireOutput(output) };
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    return;
  }
  const status = paint(terminal.colour, statusColour(e.status), e.status);
  const lines: Array<[string, string | number | null]> = [
    ["execution", e.execution_id],
    ["kind", e.kind],
    ["status", status],
    ["exit", e.exit_code ?? e.signal ?? "-"],
    [e.kind === "claude" ? "prompt" : "command", e.command],
    ["class", e.command_class],
    ["cwd", e.cwd],
    ["started by", e.session_id ? `${e.session_id} (${e.peer ?? "?"})` : "-"],
    ["host", e.host],
    ["worker", e.worker_id ?? "local"],
    ["created", formatTime(e.created_at)],
    ["started", formatTime(e.started_at)],
    ["ended", formatTime(e.ended_at)],
    ["duration", formatDuration(e.duration_ms)],
    ["output", `${formatBytes(e.stdout_bytes)} stdout, ${formatBytes(e.stderr_bytes)} stderr`],
    [
      "timeout",
      e.timeout_source === "none"
        ? "none"
        : e.timeout_seconds === null
          ? `none (${e.timeout_source})`
          : `${e.timeout_seconds}s (${e.timeout_source})`,
    ],
  ];
  if (e.claude) {
    lines.push([
      "claude",
      `session ${e.claude.session_id ?? "?"}, ${e.claude.subtype ?? "?"}, ` +
        `${e.claude.num_turns ?? "?"} turns, $${e.claude.cost_usd ?? "?"}`,
    ]);
  }
  for (const d of e.detections) lines.push(["detected", `${d.type} ${JSON.stringify(d.details)}`]);
  if (e.error) lines.push(["error", e.error]);
  let text = lines.map(([k, v]) => `${k.padEnd(11)} ${v}`).join("\n");
  if (output) {
    const transcript = e.kind === "claude" && !raw && output.encoding === "utf8";
    text += `\n\n${transcript ? renderTranscript(output) : renderOutput(output)}`;
  }
  process.stdout.write(`${text}\n`);
}

/** A Claude run's output read as a transcript (`--raw` shows the stream-json itself). */
function renderTranscript(output: OutputView): string {
  if (output.source === "none") return "--- no output recorded ---";
  const where =
    output.source === "spool" ? "from the spool files" : "head and tail kept in history";
  let text = `--- transcript (${where}) ---\n${claudeTranscript(output.head)}`;
  if (output.omittedBytes > 0) text += `--- ${formatBytes(output.omittedBytes)} not shown ---\n`;
  // The tail may start inside a line: a cut line reads as text, not as an event.
  if (output.tail) text += claudeTranscript(output.tail);
  return text.endsWith("\n") ? text.slice(0, -1) : text;
}

function renderOutput(output: OutputView): string {
  if (output.source === "none") return "--- no output recorded ---";
  const where =
    output.source === "spool" ? "from the spool files" : "head and tail kept in history";
  let text = `--- output (${where}${output.encoding === "base64" ? ", base64" : ""}) ---\n${output.head}`;
  if (output.omittedBytes > 0) text += `\n--- ${formatBytes(output.omittedBytes)} not shown ---\n`;
  if (output.tail) text += output.tail;
  return text.endsWith("\n") ? text.slice(0, -1) : text;
}

type ClassRow = WireStats["top_classes"][number];

const CLASS_COLUMNS: Column<ClassRow>[] = [
  { title: "RUNS", value: (c) => String(c.runs) },
  { title: "OK", value: (c) => String(c.completed) },
  { title: "MEAN", value: (c) => formatDuration(c.mean_ms) },
  { title: "MAX", value: (c) => formatDuration(c.max_ms) },
  { title: "COMMAND CLASS", value: (c) => c.command_class, flexible: true },
];

export function printStats(stats: WireStats, json: boolean, terminal: Terminal): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(stats, null, 2)}\n`);
    return;
  }
  const count = (record: Partial<Record<string, number>>) =>
    Object.entries(record)
      .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
      .map(([name, n]) => `${name} ${n}`)
      .join(", ") || "-";
  const d = stats.duration_ms;
  const lines = [
    `executions  ${stats.total} (${count(stats.by_status)})`,
    `kinds       ${count(stats.by_kind)}`,
    `period      ${formatTime(stats.first_created_at)} .. ${formatTime(stats.last_created_at)}`,
    `durations   ${d ? `p50 ${formatDuration(d.p50)}, p90 ${formatDuration(d.p90)}, mean ${formatDuration(d.mean)}, max ${formatDuration(d.max)} (${d.count} runs)` : "-"}`,
    `output      ${formatBytes(stats.stdout_bytes)} stdout, ${formatBytes(stats.stderr_bytes)} stderr`,
    `claude cost $${stats.cost_usd.toFixed(4)}`,
  ];
  let text = `${lines.join("\n")}\n`;
  if (stats.top_classes.length > 0) {
    text += `\n${renderTable(CLASS_COLUMNS, stats.top_classes, terminal)}`;
  }
  process.stdout.write(text);
}
