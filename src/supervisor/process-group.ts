/** Signals to a whole process group, tolerant of a group that is already gone. */
import { constants } from "node:os";

export type SignalName = keyof typeof constants.signals;

/** Returns false when no process of the group was left to receive the signal. */
export function signalGroup(pgid: number, signal: SignalName): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}

export function groupExists(pgid: number): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) return false;
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function signalNumber(signal: string | null): number | null {
  if (signal === null) return null;
  return constants.signals[signal as SignalName] ?? null;
}
