/**
 * A run as it stands now, for readers of the store (`tasks status`, `tasks list`): a run left
 * `running` by a server that no longer runs is interrupted, even before a server starts and
 * records it so (run-journal.ts `recoverTaskRuns`). The stored record is not changed.
 */
import { ownerAlive, type ServerIdentity } from "../store/server-owner.js";
import type { TaskRunRecord } from "../store/task-run-record.js";
import { markInterrupted } from "./run-journal.js";

export const SERVER_GONE_ERROR = "server gone: the server running this list no longer runs";

export function asSeenNow(
  record: TaskRunRecord,
  identity: ServerIdentity,
  nowMs: number,
): TaskRunRecord {
  if (record.status !== "running" || ownerAlive(record.owner, identity)) return record;
  const seen = structuredClone(record);
  markInterrupted(seen, nowMs, SERVER_GONE_ERROR);
  return seen;
}
