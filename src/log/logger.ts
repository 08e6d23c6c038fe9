/**
 * The server's operational log: JSON lines on stderr (readable lines on a terminal, `pretty`),
 * never tokens or env values.
 *
 * The lines are pino's format (`level` as a number, `time` in epoch ms, `pid`, the fields, then
 * `msg`), so `pino-pretty` and log tools that read pino still work. pino itself is not used: the
 * log is a few lines per connection and execution, pino kept 0.57 MB more resident in every idle
 * server (the goal is 60 MB, the server is at 59.2), and its redaction takes paths of fixed depth
 * where this one finds a key at any depth (docs/architecture.md, "Choices and why").
 */
import { jsonLine } from "./json-line.js";
import { prettyLine } from "./pretty-line.js";

const LOG_LEVELS = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Number.POSITIVE_INFINITY,
} as const;

export type LogLevel = keyof typeof LOG_LEVELS;

/** The level names, for settings to accept exactly these. */
export const LOG_LEVEL_NAMES = Object.keys(LOG_LEVELS) as LogLevel[];

/** `log(fields, msg)` or `log(msg)`; an `err` field is written as type, message and stack. */
export type LogMethod = (fieldsOrMsg: object | string, msg?: string) => void;

export interface Logger {
  trace: LogMethod;
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
  fatal: LogMethod;
}

/** Keys whose values never reach the log, at any depth of what a caller logs. */
const REDACTED_KEYS: ReadonlySet<string> = new Set(["token", "env", "authorization"]);

let stderrGone = false;

/** A server must outlive whoever read its stderr: once the pipe breaks, lines are dropped. */
function writeStderr(line: string): void {
  if (stderrGone) return;
  if (process.stderr.listenerCount("error") === 0) {
    process.stderr.on("error", () => {
      stderrGone = true;
    });
  }
  process.stderr.write(line);
}

/**
 * How lines are written: `json` (pino's format, for machines and files) or `pretty` (one
 * readable line each, for a person at a terminal: pretty-line.ts).
 */
export type LogFormat = "json" | "pretty";
export const LOG_FORMATS: readonly LogFormat[] = ["json", "pretty"];

/** A logger that writes each line (with its newline) through `write`, stderr by default. */
export function createLogger(
  level: LogLevel,
  write: (line: string) => void = writeStderr,
  format: LogFormat = "json",
  colour = false,
): Logger {
  const threshold = LOG_LEVELS[level];
  const out = format === "pretty" ? (line: string) => write(prettyLine(line, colour)) : write;
  const method =
    (name: Exclude<LogLevel, "silent">): LogMethod =>
    (fieldsOrMsg, msg) => {
      const value = LOG_LEVELS[name];
      if (value < threshold) return;
      const fields = typeof fieldsOrMsg === "string" ? {} : fieldsOrMsg;
      const text = typeof fieldsOrMsg === "string" ? fieldsOrMsg : msg;
      out(
        jsonLine({ level: value, time: Date.now(), pid: process.pid }, fields, text, REDACTED_KEYS),
      );
    };
  return {
    trace: method("trace"),
    debug: method("debug"),
    info: method("info"),
    warn: method("warn"),
    error: method("error"),
    fatal: method("fatal"),
  };
}

export const silentLogger: Logger = createLogger("silent");
