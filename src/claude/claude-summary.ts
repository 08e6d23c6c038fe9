/**
 * What a Claude run adds to its execution's result (`process.completed.claude` on the wire,
 * docs/protocol.md): session, result, cost over all attempts, usage, turns, and whether the
 * answer carried its verification UUID.
 */
import type { ClaudeSummary, ExecutionResult } from "../supervisor/execution/execution-result.js";
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
export function claudeSummary(
  state: AttemptState,
  ended: ExecutionResult,
  facts: CompletionFacts,
): ClaudeSummary {
  const result = state.result;
  const claude: ClaudeSummary = {
    sessionId: result?.session_id ?? state.sessionId,
    result: result?.result ?? null,
    isError: result ? result.is_error || ended.status === "failed" : true,
    subtype: result?.subtype ?? null,
    costUsd: sumCost(facts.earlierCostUsd, state.cost),
    usage: result?.usage ?? null,
    numTurns: result?.num_turns ?? null,
    attempts: facts.attempts,
  };
  if (facts.verifyUuid) {
    claude.uuidVerified = facts.uuid !== null && (result?.result ?? "").includes(facts.uuid);
  }
  if (ended.status === "failed" && facts.failure) claude.failure = facts.failure.kind;
  return claude;
}

/** Costs added, rounded to a billionth of a dollar so float error (0.1 + 0.2) never shows. */
export function sumCost(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.round((a + b) * 1e9) / 1e9;
}
