/** The server's operational log: JSON lines on stderr (pino). Never tokens or env values. */
import { type Logger, pino } from "pino";

export type { Logger };

export function createLogger(level: string): Logger {
  return pino(
    { level, base: { pid: process.pid }, redact: ["token", "env", "authorization"] },
    pino.destination(2),
  );
}

export const silentLogger: Logger = pino({ level: "silent" });
