/** The server's operational log: JSON lines on stderr (pino). Never tokens or env values. */
import type { Logger } from "pino";
import { requireCjs } from "../runtime/require-cjs.js";

const { pino } = requireCjs("pino") as typeof import("pino");

export type { Logger };

export function createLogger(level: string): Logger {
  return pino(
    { level, base: { pid: process.pid }, redact: ["token", "env", "authorization"] },
    pino.destination(2),
  );
}

export const silentLogger: Logger = pino({ level: "silent" });
