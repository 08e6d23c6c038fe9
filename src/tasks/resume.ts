/**
 * `tasks resume <run-id>` (DESIGN §7): a run that stopped — interrupted by a crash or a stop of
 * the server, canceled, or failed — continues at its cursor, the first task not finished. Tasks
 * before it are never run again; the task at the cursor starts afresh (its earlier attempts stay
 * in the record), with its whole retry budget.
 */

import type { ServerIdentity } from "../store/server-owner.js";
import { ownerAlive } from "../store/server-owner.js";
import type { TaskRunRecord } from "../store/task-run-record.js";
import { INTERRUPTED_RUN_ERROR, markInterrupted } from "./run-journal.js";

/** Readies `record` to run again from its cursor; returns why it cannot (and changes nothing). */
export function prepareResume(
  record: TaskRunRecord,
  identity: ServerIdentity,
  sessionId: string | null,
  nowMs: number,
): string | null {
  const total = record.tasks.length;
  if (record.status === "completed") return "it has completed: nothing is left to run";
  // Callers resume only runs not running in this process: one that names it is a leftover.
  const elsewhere = record.owner.serverPid !== identity.serverPid;
  if (record.status === "running" && elsewhere && ownerAlive(record.owner, identity)) {
    return `it is running (server pid ${record.owner.serverPid} on ${record.owner.host})`;
  }
  if (record.cursor >= total) {
    const failed = record.tasks.filter((s) => s.status === "failed").length;
    return `every task has run (${failed} failed, passed over by continue_on_failure): start the list again to run them again`;
  }
  if (record.status === "running") markInterrupted(record, nowMs, INTERRUPTED_RUN_ERROR);
  for (let i = record.cursor; i < total; i++) {
    const state = record.tasks[i];
    if (!state || state.status === "completed") continue;
    state.status = "pending";
    state.endedAtMs = null;
    state.error = null;
  }
  record.status = "running";
  record.endedAtMs = null;
  record.error = null;
  record.resumes++;
  record.sessionId = sessionId;
  record.owner = {
    host: identity.host,
    bootId: identity.bootId,
    serverPid: identity.serverPid,
    serverStartTicks: identity.serverStartTicks,
  };
  return null;
}
