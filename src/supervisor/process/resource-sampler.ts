/**
 * CPU % and RSS of a whole process group, read from /proc (Linux). Elsewhere the sampler
 * reports nulls rather than guessing. Reading /proc directly covers every member of the group,
 * which per-pid libraries (pidusage) do not.
 */
import { readdir, readFile } from "node:fs/promises";

const CLOCK_TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

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

async function readGroup(pgid: number): Promise<ProcStat[] | null> {
  let entries: string[];
  try {
    entries = await readdir("/proc");
  } catch {
    return null;
  }
  const stats = await Promise.all(
    entries
      .filter((name) => name.charCodeAt(0) >= 48 && name.charCodeAt(0) <= 57)
      .map((pid) => readFile(`/proc/${pid}/stat`, "utf8").then(parseProcStat, () => null)),
  );
  return stats.filter((stat): stat is ProcStat => stat !== null && stat.pgid === pgid);
}

/** Remembers the previous reading so CPU % is the average since then. */
export class GroupSampler {
  private previous: { ticks: number; atMs: number } | null = null;
  peakRssBytes = 0;

  constructor(private readonly pgid: number) {}

  async sample(): Promise<GroupSample> {
    const members = await readGroup(this.pgid);
    if (members === null) return { cpuPercent: null, rssBytes: null, processCount: 0 };
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
