/**
 * Start-up recovery (DESIGN §5): executions that the journal shows as running under a server
 * that is gone are marked `interrupted` — never re-run — and their leftover process groups are
 * killed. A group is killed only when it provably is the one recorded: same boot, and the leader's
 * start time unchanged (or, with the leader gone, members that started after it), because a pid
 * from the journal may by now belong to someone else's process.
 */
import { FINAL_STATUSES } from "../protocol/methods.js";
import {
  groupMembers,
  processStartTicks,
  readProcStat,
  type ServerIdentity,
  ticksAtLeast,
} from "../supervisor/process/proc-stat.js";
import type { JournalEntry, Store, WriteOp } from "./store.js";

export interface RecoveryOptions {
  /** The server doing the recovery. */
  identity: ServerIdentity;
  now?: () => number;
  procRoot?: string;
  killGroup?: (pgid: number) => void;
}

export interface RecoveryReport {
  /** Executions marked interrupted. */
  interrupted: string[];
  killedGroups: number[];
  /** Groups left alone because they could not be proven to be the recorded ones. */
  spared: Array<{ executionId: string; pgid: number; reason: string }>;
  /** Entries owned by a live server or another machine, left untouched. */
  foreign: number;
}

const FINAL: ReadonlySet<string> = new Set(FINAL_STATUSES);
export const INTERRUPTED_ERROR = "the server stopped while this ran (found at start-up)";

export async function recoverInterrupted(
  store: Store,
  options: RecoveryOptions,
): Promise<RecoveryReport> {
  const { identity } = options;
  const now = options.now ?? Date.now;
  const procRoot = options.procRoot;
  const killGroup = options.killGroup ?? ((pgid: number) => process.kill(-pgid, "SIGKILL"));
  const report: RecoveryReport = { interrupted: [], killedGroups: [], spared: [], foreign: 0 };
  for (const entry of await store.journal()) {
    if (entry.host !== identity.host || ownerAlive(entry, identity, procRoot)) {
      report.foreign++;
      continue;
    }
    const verdict = groupVerdict(entry, identity, procRoot);
    if (verdict.kill && entry.pgid !== null) {
      try {
        killGroup(entry.pgid);
        report.killedGroups.push(entry.pgid);
      } catch (error) {
        // ESRCH: it died between the check and the kill, which is what we wanted.
        if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
      }
    } else if (verdict.spareReason && entry.pgid !== null) {
      report.spared.push({
        executionId: entry.executionId,
        pgid: entry.pgid,
        reason: verdict.spareReason,
      });
    }
    const ops: WriteOp[] = [{ type: "journal.remove", executionId: entry.executionId }];
    const record = await store.getExecution(entry.executionId);
    if (record && !FINAL.has(record.status)) {
      record.status = "interrupted";
      record.endedAtMs = now();
      record.error = record.error ?? INTERRUPTED_ERROR;
      ops.unshift({ type: "execution", record });
      report.interrupted.push(entry.executionId);
    }
    await store.apply(ops);
  }
  return report;
}

/** The server that wrote the entry still runs (it may share this store): not ours to touch. */
function ownerAlive(entry: JournalEntry, identity: ServerIdentity, procRoot?: string): boolean {
  if (entry.bootId !== identity.bootId || entry.serverStartTicks === null) return false;
  return processStartTicks(entry.serverPid, procRoot) === entry.serverStartTicks;
}

/** Kill the group, or not — with a reason when a live group is spared. */
type Verdict =
  | { kill: true; spareReason?: undefined }
  | { kill: false; spareReason: string | null };

const NOTHING_TO_KILL: Verdict = { kill: false, spareReason: null };

function groupVerdict(entry: JournalEntry, identity: ServerIdentity, procRoot?: string): Verdict {
  if (entry.pgid === null) return NOTHING_TO_KILL; // never started
  if (entry.bootId !== identity.bootId) return NOTHING_TO_KILL; // rebooted since: all gone
  if (entry.startTicks === null) return { kill: false, spareReason: "start time unknown" };
  const leader = readProcStat(entry.pgid, procRoot);
  if (leader && leader.state !== "Z") {
    return leader.startTicks === entry.startTicks
      ? { kill: true }
      : {
          kill: false,
          spareReason: "pid reused: the process now at this pid started at another time",
        };
  }
  // Leader gone. While any member of a group lives, the kernel does not hand its number out
  // as a new pid, so members that started after the recorded leader are its descendants.
  const startTicks = entry.startTicks;
  const members = groupMembers(entry.pgid, procRoot).filter((m) =>
    ticksAtLeast(m.startTicks, startTicks),
  );
  return members.length > 0 ? { kill: true } : NOTHING_TO_KILL;
}
