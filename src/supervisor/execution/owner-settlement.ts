/**
 * Asks an execution's owner what a process that ended means (see execution-owner.ts): another
 * process after a delay (a retry), or the status the execution ends with — still credited to
 * whoever decided the end, if anyone did (`endWith`) — or nothing, and the exit code decides.
 */

import type { SpawnSpec } from "../process/group-child.js";
import type { AttemptEnd, ExecutionOwner } from "./execution-owner.js";
import type { EndReason } from "./execution-spec.js";

export type OwnerVerdict =
  | { retry: { spawn: SpawnSpec; delayMs: number } }
  | { end: EndReason; error: string | undefined }
  | null;

/** `reason`: why the execution was already ending, if an owner's `endWith` said so. */
export function settleWithOwner(
  owner: ExecutionOwner,
  reason: EndReason | null,
  process: Omit<AttemptEnd, "decided">,
): OwnerVerdict {
  const decided = reason && "by" in reason ? reason : null;
  const settlement = owner.settle?.({ ...process, decided: decided ? decided.status : null });
  if (!settlement) return null;
  if ("retry" in settlement) return settlement;
  return {
    end: { status: settlement.status, by: decided ? decided.by : "owner" },
    error: settlement.error,
  };
}
