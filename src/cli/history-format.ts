/**
 * How `cc-executor history` prints: aligned, coloured tables for a person at a terminal;
 * tab-separated lines when piped (one record a line, nothing cut); CSV for export.
 */
import type { WireExecution } from "../store/record-wire.js";
import { paint, type Style } from "./terminal-style.js";

export interface Column<Row> {
  title: string;
  value(row: Row): string;
  /** A shorter form for terminals (e.g. the first characters of an id). */
  short?(row: Row): string;
  /** The column that shrinks (its text cut with …) when the terminal is narrow. */
  flexible?: boolean;
  colour?(row: Row): Style | null;
}

export interface Terminal {
  tty: boolean;
  columns: number;
  colour: boolean;
}

export function terminalOf(stream: NodeJS.WriteStream): Terminal {
  const tty = Boolean(stream.isTTY);
  return {
    tty,
    // 0 when the terminal does not say: assume the classic width.
    columns: stream.columns || 80,
    colour: tty && !process.env.NO_COLOR,
  };
}

export function renderTable<Row>(columns: Column<Row>[], rows: Row[], terminal: Terminal): string {
  const cells = rows.map((row) =>
    columns.map((c) => oneLine((terminal.tty && c.short ? c.short(row) : c.value(row)) ?? "")),
  );
  if (!terminal.tty) {
    const lines = [columns.map((c) => c.title), ...cells].map((line) => line.join("\t"));
    return `${lines.join("\n")}\n`;
  }
  const widths = columns.map((c, i) =>
    Math.max(c.title.length, ...cells.map((line) => (line[i] ?? "").length)),
  );
  const flexible = columns.findIndex((c) => c.flexible);
  const total = widths.reduce((sum, w) => sum + w, 0) + 2 * (columns.length - 1);
  if (flexible >= 0 && total > terminal.columns) {
    const others = total - (widths[flexible] ?? 0);
    const title = columns[flexible]?.title.length ?? 0;
    widths[flexible] = Math.max(10, title, terminal.columns - others);
  }
  const format = (line: string[], colours: Array<Style | null>) =>
    line
      .map((text, i) => {
        const width = widths[i] ?? 0;
        const cell = fitCell(text, width, i === line.length - 1);
        return paint(terminal.colour, colours[i] ?? null, cell);
      })
      .join("  ")
      .trimEnd();
  const header = format(
    columns.map((c) => c.title),
    columns.map((): Style => "bold"),
  );
  const body = cells.map((line, r) =>
    format(
      line,
      columns.map((c) => c.colour?.(rows[r] as Row) ?? null),
    ),
  );
  return `${[header, ...body].join("\n")}\n`;
}

export function statusColour(status: string): Style {
  if (status === "completed") return "green";
  if (status === "failed" || status === "timed_out") return "red";
  if (status === "running" || status === "queued" || status === "paused") return "cyan";
  return "yellow";
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return "-";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.round(seconds % 60)).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** Local time, to the second: what a person reading a listing wants. */
export function formatTime(iso: string | null): string {
  if (!iso) return "-";
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export const CSV_COLUMNS: Array<[string, (e: WireExecution) => unknown]> = [
  ["execution_id", (e) => e.execution_id],
  ["created_at", (e) => e.created_at],
  ["started_at", (e) => e.started_at],
  ["ended_at", (e) => e.ended_at],
  ["kind", (e) => e.kind],
  ["status", (e) => e.status],
  ["exit_code", (e) => e.exit_code],
  ["signal", (e) => e.signal],
  ["duration_ms", (e) => e.duration_ms],
  ["stdout_bytes", (e) => e.stdout_bytes],
  ["stderr_bytes", (e) => e.stderr_bytes],
  ["timeout_seconds", (e) => e.timeout_seconds],
  ["timeout_source", (e) => e.timeout_source],
  ["cwd", (e) => e.cwd],
  ["command", (e) => e.command],
  ["command_class", (e) => e.command_class],
  ["session_id", (e) => e.session_id],
  ["peer", (e) => e.peer],
  ["host", (e) => e.host],
  ["claude_session_id", (e) => e.claude?.session_id],
  ["cost_usd", (e) => e.claude?.cost_usd],
  ["num_turns", (e) => e.claude?.num_turns],
  ["detections", (e) => e.detections.map((d) => d.type).join(" ")],
  ["error", (e) => e.error],
];

/** RFC 4180: quote fields holding commas, quotes or line breaks; double inner quotes. */
export function csvLine(values: unknown[]): string {
  return values
    .map((value) => {
      const text = value === null || value === undefined ? "" : String(value);
      return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
    })
    .join(",");
}

function oneLine(text: string): string {
  return text.replace(/[\r\n\t]+/g, " ");
}

function fitCell(text: string, width: number, last: boolean): string {
  if (text.length > width) return `${text.slice(0, Math.max(0, width - 1))}…`;
  return last ? text : text.padEnd(width);
}
