/**
 * A pre hook's `{rewrite}` applied to the request: only fields it may change for the kind of
 * execution, and the result re-validated by the method's own schema, so a hook can never make
 * a request the method itself would refuse.
 */
import { invalidParamsMessage } from "../protocol/invalid-params.js";
import { ClaudeExecuteParams, ExecuteParams } from "../protocol/methods.js";
import { HookFailure, type HookKind } from "./hook-types.js";

/** Request fields a pre hook may rewrite, by kind. */
const REWRITABLE: Record<HookKind, ReadonlySet<string>> = {
  command: new Set(["command", "cwd", "env", "timeout", "idle_timeout"]),
  claude: new Set([
    "prompt",
    "cwd",
    "env",
    "model",
    "allowed_tools",
    "permission_mode",
    "max_turns",
    "append_system_prompt",
    "timeout",
    "idle_timeout",
    "verify_uuid",
    "retries",
  ]),
};

/** The request with a hook's changes, re-validated by the method's schema; throws HookFailure. */
export function rewritten(
  kind: HookKind,
  request: Record<string, unknown>,
  changes: Record<string, unknown>,
): Record<string, unknown> {
  const refused = Object.keys(changes).filter((key) => !REWRITABLE[kind].has(key));
  if (refused.length > 0) {
    throw new HookFailure(`may not rewrite ${refused.join(", ")}`, "invalid");
  }
  const next: Record<string, unknown> = { ...request };
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  const schema = kind === "command" ? ExecuteParams : ClaudeExecuteParams;
  const parsed = schema.safeParse(next);
  if (!parsed.success) {
    const reason = invalidParamsMessage(parsed.error.issues);
    throw new HookFailure(`rewrote the request into an invalid one: ${reason}`, "invalid");
  }
  // Keep what the caller had (e.g. fields the schema does not know) under the validated values.
  return { ...next, ...(parsed.data as Record<string, unknown>) };
}
