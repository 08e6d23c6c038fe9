/**
 * An execution named on the command line (`logs`, `cancel`): its full id or a unique prefix of
 * it, as `history show` takes them, looked up among the executions the server holds, else in
 * the history store.
 */
import type { CcExecutorClient } from "../client/client.js";
import type { ExecutionResult } from "../client/events.js";
import type { Settings } from "../config/settings.js";
import { FINAL_STATUSES, type FinalStatus } from "../protocol/methods.js";
import type { ExecutionSummary } from "../protocol/results.js";
import { openStore } from "../store/open-store.js";
import type { ExecutionRecord, Store } from "../store/store.js";
import { StoreUnavailableError } from "../store/store-errors.js";
import { CliError } from "./cli-error.js";

/** As many as the server can hold (executions.list's limit): every running, queued and retained one. */
const LIST_LIMIT = 10_000;

/** The one execution `ref` names, or null when the server holds none by that id or prefix. */
export async function findServerExecution(
  client: CcExecutorClient,
  ref: string,
): Promise<ExecutionSummary | null> {
  const { executions } = await client.request("executions.list", { limit: LIST_LIMIT });
  const exact = executions.find((e) => e.execution_id === ref);
  if (exact) return exact;
  const matches = executions.filter((e) => e.execution_id.startsWith(ref));
  if (matches.length > 1) {
    const ids = matches.slice(0, 5).map((e) => e.execution_id);
    throw new CliError(`${ref} matches several executions: ${ids.join(", ")}…`, 2);
  }
  return matches[0] ?? null;
}

export function isFinalStatus(status: string): boolean {
  return (FINAL_STATUSES as readonly string[]).includes(status);
}

/**
 * The one recorded execution `ref` names in the history store (no server needed), or null.
 * A store that cannot be opened is an error the user can act on (its message says why).
 */
export async function findRecordedExecution(
  settings: Settings,
  ref: string,
): Promise<ExecutionRecord | null> {
  const store = await openStore(settings).catch((error: unknown) => {
    if (error instanceof StoreUnavailableError) throw new CliError(error.message);
    throw error;
  });
  try {
    return await recordedExecutionIn(store, ref);
  } finally {
    await store.close();
  }
}

/** How a recorded execution ended, in the client's terms (for the exit code `run` would give). */
export function resultOfRecord(record: ExecutionRecord): ExecutionResult {
  return {
    executionId: record.executionId,
    success: record.status === "completed",
    status: record.status as FinalStatus,
    exitCode: record.exitCode,
    signal: record.signal,
    durationMs: record.durationMs ?? 0,
    stdout: "",
    stderr: "",
    outputs: 0,
    error: record.error,
    completion: {},
  };
}

/** In `store`: the execution with id `ref`, else the one whose id starts with it; null if none. */
export async function recordedExecutionIn(
  store: Store,
  ref: string,
): Promise<ExecutionRecord | null> {
  const exact = await store.getExecution(ref);
  if (exact) return exact;
  const matches = await store.findExecutionIds(ref, 5);
  if (matches.length > 1)
    throw new CliError(`${ref} matches several executions: ${matches.join(", ")}…`, 2);
  return matches[0] === undefined ? null : await store.getExecution(matches[0]);
}
