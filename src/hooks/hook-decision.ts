/** A hook's answer as it came (JSON from a shell hook, a value from a module) → HookDecision. */
import { type HookDecision, HookFailure } from "./hook-types.js";

export function decisionOf(value: unknown): HookDecision {
  if (value === null || value === undefined || value === true) return null;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new HookFailure(`answer must be an object, got ${JSON.stringify(value)}`, "invalid");
  }
  const answer = value as Record<string, unknown>;
  if (answer.veto !== undefined && answer.veto !== false && answer.veto !== null) {
    const reason = typeof answer.veto === "string" ? answer.veto : answer.reason;
    return { veto: typeof reason === "string" && reason ? reason : "vetoed by the hook" };
  }
  if (answer.rewrite !== undefined) {
    const rewrite = answer.rewrite;
    if (typeof rewrite !== "object" || rewrite === null || Array.isArray(rewrite)) {
      throw new HookFailure("rewrite must be an object of request fields", "invalid");
    }
    return { rewrite: rewrite as Record<string, unknown> };
  }
  if (typeof answer.flag === "string" && answer.flag) return { flag: answer.flag };
  return null;
}
