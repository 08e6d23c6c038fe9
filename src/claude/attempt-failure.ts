/**
 * Why an attempt of a Claude run failed, if it did: from its `result` event (classified by the
 * detectors), else from how its process ended — could not start, refused to run as root, auth
 * stopped early, no result at all, or an answer without its verification UUID.
 */
import type { AttemptEnd } from "../supervisor/execution/execution-owner.js";
import type { AttemptState } from "./attempt-state.js";
import {
  type AuthMode,
  authMessage,
  classifyResult,
  ROOT_REFUSAL_MESSAGE,
  type RunFailure,
} from "./detectors.js";

/** The failure the attempt's latest `result` says (error, usage or token limit, …), if any. */
export function resultFailure(
  state: AttemptState,
  authMode: AuthMode,
  now: () => number,
): RunFailure | null {
  const { result, usageResetAt, usageLimited } = state;
  if (!result) return null;
  return classifyResult(result, {
    authMode,
    usageResetAt: usageLimited ? usageResetAt : null,
    nowMs: now(),
  });
}

/** The failure of an attempt whose process ended; null when it succeeded. */
export function attemptFailure(
  ended: AttemptEnd,
  state: AttemptState,
  context: { authMode: AuthMode; uuid: string | null; now: () => number },
): RunFailure | null {
  if (ended.error !== null) {
    return {
      kind: "error",
      recoverable: false,
      message: `${ended.error} (the Claude CLI: set CC_EXECUTOR_CLAUDE_BIN or put claude on the PATH)`,
    };
  }
  if (state.rootRefusal)
    return { kind: "root_refusal", recoverable: false, message: ROOT_REFUSAL_MESSAGE };
  if (state.authFailedFast) {
    const message = authMessage(context.authMode, "the API answered 401 (stopped early)");
    return { kind: "auth", recoverable: false, message };
  }
  if (!state.result) {
    const how = ended.signal ? `signal ${ended.signal}` : `exit code ${ended.exitCode}`;
    const stderr = state.stderrSummary();
    return {
      kind: "no_result",
      recoverable: false,
      message: `The Claude CLI ended without a result (${how})${stderr ? `: ${stderr}` : ""}`,
    };
  }
  const failure = resultFailure(state, context.authMode, context.now);
  if (failure) return failure;
  const uuid = context.uuid;
  if (uuid !== null && !(state.result.result ?? "").includes(uuid)) {
    return {
      kind: "uuid_missing",
      recoverable: true,
      message: `The answer does not contain the verification UUID ${uuid}`,
    };
  }
  return null;
}
