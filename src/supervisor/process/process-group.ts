/** Signals to a whole process group, tolerant of a group that is already gone. */
import { constants } from "node:os";

export type SignalName = keyof typeof constants.signals;

/** Returns false when no process of the group was left to receive the signal. */
export function signalGroup(pgid: number, signal: SignalName): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) return false;
  const code = killGroup(pgid, signal);
  if (code === null) return true;
  if (code === "ESRCH") return false;
  throw Object.assign(new Error(`kill(-${pgid}, ${signal}): ${code}`), { code });
}

export function groupExists(pgid: number): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) return false;
  const code = killGroup(pgid, 0);
  return code === null || code === "EPERM";
}

/**
 * process.kill, with the error code instead of an exception. Every execution ends with a sweep of
 * a group that is usually gone already; the ESRCH exception's stack trace is most of that call's
 * cost, and nobody reads it.
 */
function killGroup(pgid: number, signal: SignalName | 0): string | null {
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    process.kill(-pgid, signal);
    return null;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? "EUNKNOWN";
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

export function signalNumber(signal: string | null): number | null {
  if (signal === null) return null;
  return constants.signals[signal as SignalName] ?? null;
}
