/**
 * A new run of a task list as the journal first records it: its id, every task pending, the
 * cursor at the first task, and this server as its owner (so a later server can tell whether
 * the run's owner is still alive).
 */
import { randomBytes } from "node:crypto";
import type { ServerIdentity } from "../store/server-owner.js";
import type { TaskRunRecord, TaskState } from "../store/task-run-record.js";
import type { ResolvedTaskList } from "./task-list-schema.js";

export function newRunRecord(
  list: ResolvedTaskList,
  runId: string,
  identity: ServerIdentity,
  sessionId: string | null,
  nowMs: number,
): TaskRunRecord {
  return {
    runId,
    name: list.name,
    status: "running",
    list,
    tasks: list.tasks.map(pendingState),
    cursor: 0,
    owner: {
      host: identity.host,
      bootId: identity.bootId,
      serverPid: identity.serverPid,
      serverStartTicks: identity.serverStartTicks,
    },
    sessionId,
    createdAtMs: nowMs,
    updatedAtMs: nowMs,
    endedAtMs: null,
    resumes: 0,
    error: null,
  };
}

/** A task that has not run yet. */
export function pendingState(): TaskState {
  return {
    status: "pending",
    attempts: [],
    result: null,
    resultBytes: 0,
    exitCode: null,
    costUsd: null,
    claudeSessionId: null,
    rendered: null,
    startedAtMs: null,
    endedAtMs: null,
    error: null,
  };
}

/** `20260203-141522-7f3a9c`: UTC time of the start, then randomness. Sorts by time. */
export function newRunId(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  const date = `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}`;
  const time = `${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}`;
  return `${date}-${time}-${randomBytes(3).toString("hex")}`;
}
