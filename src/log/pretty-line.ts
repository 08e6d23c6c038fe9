/**
 * A log record as a person reads it on a terminal (`server start` in the foreground on a TTY):
 * `14:03:07 WARN  listening beyond loopback: only the token protects this server · host=0.0.0.0`.
 * Made from the JSON line (so redaction is the same), fields as `key=value` after the message.
 */
import { styleText } from "node:util";

const LEVEL_NAMES: Record<number, string> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO",
  40: "WARN",
  50: "ERROR",
  60: "FATAL",
};

type Colour = Parameters<typeof styleText>[0];

function levelColour(level: number): Colour | null {
  if (level >= 50) return "red";
  if (level >= 40) return "yellow";
  if (level >= 30) return "green";
  return "dim";
}

function fieldText(value: unknown): string {
  if (typeof value === "string") return /[\s=]/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value);
}

/** `jsonLine`'s output (one record with its newline) as one readable line. */
export function prettyLine(json: string, colour: boolean): string {
  const paint = (style: Colour | null, text: string) =>
    colour && style !== null ? styleText(style, text, { validateStream: false }) : text;
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const { level, time, pid: _pid, msg, err, ...fields } = record;
  const levelNumber = typeof level === "number" ? level : 30;
  const clock = new Date(typeof time === "number" ? time : Date.now()).toTimeString().slice(0, 8);
  const name = (LEVEL_NAMES[levelNumber] ?? String(level)).padEnd(5);
  const extras = Object.entries(fields).map(([key, value]) => `${key}=${fieldText(value)}`);
  let line = `${paint("dim", clock)} ${paint(levelColour(levelNumber), name)} ${msg ?? ""}`;
  if (extras.length > 0) line += paint("dim", ` · ${extras.join(" ")}`);
  if (err && typeof err === "object") {
    const { message, stack } = err as { message?: string; stack?: string };
    line += `\n${stack ?? message ?? JSON.stringify(err)}`;
  }
  return `${line}\n`;
}
