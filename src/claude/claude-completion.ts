/**
 * The `claude` field of a Claude run's `process.completed` (docs/protocol.md): session, result,
 * cost over all attempts, usage, turns, and whether the answer carried its verification UUID.
 */
import type { ClaudeCompletion, ProcessCompletedParams } from "../protocol/notifications.js";
import type { AttemptState } from "./attempt-state.js";
import type { RunFailure } from "./detectors.js";

export interface CompletionFacts {
  /** Cost of the attempts before the last one. */
  earlierCostUsd: number | null;
  attempts: number;
  verifyUuid: boolean;
  /** The UUID the last attempt's answer had to contain. */
  uuid: string | null;
  failure: RunFailure | null;
}

/** What the last attempt (`state`) and the ones before it add up to. */
export function claudeCompletion(
  state: AttemptState,
  completion: ProcessCompletedParams,
  facts: CompletionFacts,
): ClaudeCompletion {
  const result = state.result;
  const claude: ClaudeCompletion = {
    session_id: result?.session_id ?? state.sessionId,
    result: result?.result ?? null,
    is_error: result ? result.is_error || completion.status === "failed" : true,
    subtype: result?.subtype ?? null,
    cost_usd: sumCost(facts.earlierCostUsd, state.cost),
    usage: result?.usage ?? null,
    num_turns: result?.num_turns ?? null,
    attempts: facts.attempts,
  };
  if (facts.verifyUuid) {
    claude.uuid_verified = facts.uuid !== null && (result?.result ?? "").includes(facts.uuid);
  }
  if (completion.status === "failed" && facts.failure) claude.failure = facts.failure.kind;
  return claude;
}

/** Costs added, rounded to a billionth of a dollar so float error (0.1 + 0.2) never shows. */
export function sumCost(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.round((a + b) * 1e9) / 1e9;
}
