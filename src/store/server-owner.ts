/**
 * Records name the server that owns them (journal entries, task-list runs): its host, boot, pid
 * and the pid's start time, so a later server can tell a live owner from a dead one whose pid
 * was reused.
 */
import { processStartTicks, type ServerIdentity } from "../supervisor/process/proc-stat.js";
import type { TaskRunOwner } from "./task-run-record.js";

export type { ServerIdentity };

/** Whether the server that owns a run still runs (a run of another machine counts as alive). */
export function ownerAlive(owner: TaskRunOwner, identity: ServerIdentity): boolean {
  if (owner.host !== identity.host) return true;
  if (owner.bootId !== identity.bootId) return false;
  if (owner.serverPid === identity.serverPid) {
    return owner.serverStartTicks === identity.serverStartTicks;
  }
  return (
    owner.serverStartTicks !== null && processStartTicks(owner.serverPid) === owner.serverStartTicks
  );
}
