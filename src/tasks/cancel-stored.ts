/**
 * `tasks cancel` of a run that does not run in this server: an interrupted run, or a leftover
 * `running` record whose server is gone, becomes `canceled`. A run that has ended (completed,
 * failed, canceled) stays exactly as it ended, and one that still runs in another live server
 * is canceled there.
 */

import type { ServerIdentity } from "../store/server-owner.js";
import { ownerAlive } from "../store/server-owner.js";
import type { TaskRunRecord } from "../store/task-run-record.js";
import { markInterrupted } from "./run-journal.js";

const ENDED = new Set(["completed", "failed", "canceled"]);

/** Marks `record` (of run `runId`) canceled; returns why it cannot be (and changes nothing). */
export function cancelStoredRun(
  record: TaskRunRecord,
  runId: string,
  identity: ServerIdentity,
  now: () => number,
): string | null {
  if (ENDED.has(record.status)) return `task run ${runId} has already ended (${record.status})`;
  // Not running here, so a record that names this process is a leftover, not a live run.
  if (
    record.status === "running" &&
    record.owner.serverPid !== identity.serverPid &&
    ownerAlive(record.owner, identity)
  ) {
    return `task run ${runId} runs in another server (pid ${record.owner.serverPid} on ${record.owner.host}): cancel it there`;
  }
  if (record.status === "running") markInterrupted(record, now(), "canceled");
  record.status = "canceled";
  record.error = "canceled";
  record.endedAtMs ??= now();
  return null;
}
