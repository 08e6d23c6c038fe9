/**
 * Process identity from /proc, so a journal entry names one process and not just a number:
 * a pid is reused, but (boot id, pid, start time) is not. Linux only; elsewhere the start time
 * is unknown and recovery kills nothing it cannot verify.
 */
import { readdirSync, readFileSync } from "node:fs";
import { hostname } from "node:os";

export interface ServerIdentity {
  host: string;
  bootId: string;
  serverPid: number;
  serverStartTicks: string | null;
}

export interface ProcStat {
  pid: number;
  state: string;
  pgrp: number;
  /** Field 22: start time in clock ticks since boot, as a decimal string. */
  startTicks: string;
}

const DEFAULT_PROC = "/proc";

/** Parses /proc/<pid>/stat; null when the process is gone (or /proc is not there). */
export function readProcStat(pid: number, procRoot = DEFAULT_PROC): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`${procRoot}/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // Field 2 (comm) is in parentheses and may hold spaces or parentheses itself.
  const close = text.lastIndexOf(")");
  if (close < 0) return null;
  const rest = text.slice(close + 2).split(" ");
  // rest[0] is field 3; field N is rest[N - 3].
  const state = rest[0];
  const pgrp = Number(rest[2]);
  const startTicks = rest[19];
  if (state === undefined || startTicks === undefined || !Number.isInteger(pgrp)) return null;
  return { pid, state, pgrp, startTicks };
}

export function processStartTicks(pid: number, procRoot = DEFAULT_PROC): string | null {
  const stat = readProcStat(pid, procRoot);
  return stat && stat.state !== "Z" ? stat.startTicks : null;
}

export function readBootId(procRoot = DEFAULT_PROC): string {
  try {
    return readFileSync(`${procRoot}/sys/kernel/random/boot_id`, "utf8").trim();
  } catch {
    return "unknown";
  }
}

export function currentServerIdentity(procRoot = DEFAULT_PROC): ServerIdentity {
  return {
    host: hostname(),
    bootId: readBootId(procRoot),
    serverPid: process.pid,
    serverStartTicks: processStartTicks(process.pid, procRoot),
  };
}

/** Live (non-zombie) members of process group `pgid`. */
export function groupMembers(pgid: number, procRoot = DEFAULT_PROC): ProcStat[] {
  let names: string[];
  try {
    names = readdirSync(procRoot);
  } catch {
    return [];
  }
  const members: ProcStat[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readProcStat(Number(name), procRoot);
    if (stat && stat.pgrp === pgid && stat.state !== "Z") members.push(stat);
  }
  return members;
}

/** Compares two start-tick strings numerically. */
export function ticksAtLeast(ticks: string, floor: string): boolean {
  return BigInt(ticks) >= BigInt(floor);
}
