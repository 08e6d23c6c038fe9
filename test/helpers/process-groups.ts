/** Reading process groups from /proc for supervisor tests: who is in a group, in which state. */
import { readdirSync, readFileSync } from "node:fs";

export interface Member {
  pid: number;
  /** The one-letter state of /proc/<pid>/stat: R, S, T (stopped), Z, … */
  state: string;
}

/** Live members (zombies left out) of process group `pgid`. */
export function groupMembers(pgid: number): Member[] {
  const members: Member[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, "utf8");
    } catch {
      continue; // gone meanwhile
    }
    // Fields after the command name (which may hold spaces): state ppid pgrp …
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) !== pgid || fields[0] === "Z") continue;
    members.push({ pid: Number(name), state: fields[0] as string });
  }
  return members;
}

/** A number unique to this test run that `sleep` accepts, so its processes can be found. */
export function sleepMarker(seconds = 1000): string {
  const digits = `${process.pid}${Date.now() % 1e6}${Math.floor(Math.random() * 1e6)}`;
  return `${seconds}.${digits}`;
}

/** Pids of live `sleep` processes (not shells) whose arguments hold `marker`. */
export function sleepersWith(marker: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0");
      const state = readFileSync(`/proc/${name}/stat`, "utf8");
      if (state.slice(state.lastIndexOf(")") + 2)[0] === "Z") continue;
      if (argv[0]?.endsWith("sleep") && argv.includes(marker)) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}
