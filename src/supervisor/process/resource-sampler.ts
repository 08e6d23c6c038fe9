/**
 * CPU % and RSS of a whole process group, read from /proc (Linux). Elsewhere the sampler
 * reports nulls rather than guessing. Reading /proc directly covers every member of the group,
 * which per-pid libraries (pidusage) do not.
 *
 * Only the group's own processes are read: the leader, its descendants found through
 * /proc/<pid>/task/<tid>/children, and members seen by earlier samples (a process orphaned since
 * is no longer a descendant but still in the group). Scanning all of /proc instead opened one
 * file per host process per sampled execution, all at once, and ran out of descriptors. Every
 * sampler shares one limit of open /proc files.
 */
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { ConcurrencyLimit } from "../../runtime/concurrency-limit.js";

const CLOCK_TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;
/** /proc files (or folders) open at once, across every sampler of the process. */
const MAX_OPEN_PROC_FILES = 8;
/** A bound on the walk, should a group hold a fork bomb. */
const MAX_GROUP_PROCESSES = 4096;

const procFiles = new ConcurrencyLimit(MAX_OPEN_PROC_FILES);
let procAvailable: boolean | null = null;

export interface GroupSample {
  cpuPercent: number | null;
  rssBytes: number | null;
  processCount: number;
}

interface ProcStat {
  pgid: number;
  cpuTicks: number;
  rssPages: number;
}

export function parseProcStat(text: string): ProcStat | null {
  // The command name may hold spaces and parentheses; fields resume after the last ')'.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const pgid = Number(fields[2]);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const rss = Number(fields[21]);
  if (![pgid, utime, stime, rss].every(Number.isFinite)) return null;
  return { pgid, cpuTicks: utime + stime, rssPages: rss };
}

function readStat(pid: number): Promise<ProcStat | null> {
  return procFiles.run(() => readFile(`/proc/${pid}/stat`, "utf8")).then(parseProcStat, () => null);
}

/** Children of every thread of `pid` (a child is listed under the thread that forked it). */
async function childrenOf(pid: number): Promise<number[]> {
  const tasks = await procFiles.run(() => readdir(`/proc/${pid}/task`)).catch(() => []);
  const children: number[] = [];
  for (const tid of tasks) {
    const text = await procFiles
      .run(() => readFile(`/proc/${pid}/task/${tid}/children`, "utf8"))
      .catch(() => "");
    for (const child of text.split(" "))
      if (child !== "" && child !== "\n") children.push(Number(child));
  }
  return children.filter(Number.isInteger);
}

/** The group's live members, walked from the leader and from the members seen before. */
async function readGroup(pgid: number, known: Set<number>): Promise<Map<number, ProcStat> | null> {
  procAvailable ??= existsSync("/proc/self/stat");
  if (!procAvailable) return null;
  const members = new Map<number, ProcStat>();
  const visited = new Set<number>();
  const pending = [pgid, ...known];
  while (pending.length > 0 && visited.size < MAX_GROUP_PROCESSES) {
    const pid = pending.pop() as number;
    if (visited.has(pid)) continue;
    visited.add(pid);
    const stat = await readStat(pid);
    // Not in the group (gone, pid reused, or moved to a group of its own): neither it nor its
    // children are counted; a child stays in its parent's group unless it moves itself.
    if (stat === null || stat.pgid !== pgid) continue;
    members.set(pid, stat);
    pending.push(...(await childrenOf(pid)));
  }
  return members;
}

/** Remembers the previous reading so CPU % is the average since then. */
export class GroupSampler {
  private previous: { ticks: number; atMs: number } | null = null;
  /** Members seen by the last sample. */
  private known = new Set<number>();
  peakRssBytes = 0;

  constructor(private readonly pgid: number) {}

  async sample(): Promise<GroupSample> {
    const group = await readGroup(this.pgid, this.known);
    if (group === null) return { cpuPercent: null, rssBytes: null, processCount: 0 };
    this.known = new Set(group.keys());
    const members = [...group.values()];
    const ticks = members.reduce((sum, m) => sum + m.cpuTicks, 0);
    const rssBytes = members.reduce((sum, m) => sum + m.rssPages, 0) * PAGE_BYTES;
    const atMs = performance.now();
    let cpuPercent: number | null = null;
    if (this.previous && atMs > this.previous.atMs) {
      const cpuMs = ((ticks - this.previous.ticks) * 1000) / CLOCK_TICKS_PER_SECOND;
      cpuPercent = Math.max(0, Math.round((cpuMs / (atMs - this.previous.atMs)) * 1000) / 10);
    }
    this.previous = { ticks, atMs };
    this.peakRssBytes = Math.max(this.peakRssBytes, rssBytes);
    return { cpuPercent, rssBytes, processCount: members.length };
  }
}
