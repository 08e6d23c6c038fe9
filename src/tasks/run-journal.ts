/**
 * The task-list journal in the store (DESIGN §7): the run's record is written — and the write
 * awaited — before each step starts and after it ends, so a crash at any moment leaves a record
 * that says exactly which tasks finished. At start-up, runs that a dead server left `running`
 * are marked `interrupted`; `tasks resume` continues them.
 */

import { ownerAlive, type ServerIdentity } from "../store/server-owner.js";
import type { Store } from "../store/store.js";
import type { TaskRunRecord } from "../store/task-run-record.js";

const WRITE_ATTEMPTS = 3;
const WRITE_RETRY_MS = 200;

export const INTERRUPTED_RUN_ERROR = "the server stopped while this list ran";

export class RunJournal {
  constructor(
    readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  /** Writes the whole record (retrying a failing store briefly); throws when it cannot. */
  async save(record: TaskRunRecord): Promise<void> {
    record.updatedAtMs = this.now();
    let lastError: unknown;
    for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
      try {
        await this.store.apply([{ type: "taskrun", record }]);
        return;
      } catch (error) {
        lastError = error;
        if (attempt < WRITE_ATTEMPTS) {
          await new Promise((resolve) => setTimeout(resolve, WRITE_RETRY_MS * attempt));
        }
      }
    }
    throw new Error(`cannot write the task-list journal: ${(lastError as Error)?.message}`);
  }
}

/** Marks the run, its current task and that task's attempt as interrupted. */
export function markInterrupted(record: TaskRunRecord, nowMs: number, reason: string): void {
  for (const state of record.tasks) {
    if (state.status !== "running" && state.status !== "waiting") continue;
    state.status = "interrupted";
    state.endedAtMs = nowMs;
    for (const attempt of state.attempts) {
      if (attempt.endedAtMs !== null) continue;
      attempt.status = "interrupted";
      attempt.endedAtMs = nowMs;
    }
  }
  record.status = "interrupted";
  record.endedAtMs = nowMs;
  record.error = reason;
}

/** Start-up: runs left `running` by a server that is gone become `interrupted`. */
export async function recoverTaskRuns(
  journal: RunJournal,
  identity: ServerIdentity,
  nowMs: number,
): Promise<string[]> {
  const recovered: string[] = [];
  for (const record of await journal.store.listTaskRuns({
    limit: 10_000,
    statuses: ["running"],
  })) {
    if (ownerAlive(record.owner, identity)) continue;
    markInterrupted(record, nowMs, `${INTERRUPTED_RUN_ERROR} (found at start-up)`);
    await journal.save(record);
    recovered.push(record.runId);
  }
  return recovered;
}
