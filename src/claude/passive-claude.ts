/**
 * `execute` of a command line that starts with `claude` (DESIGN §6): the same completion on the
 * `result` event and the same detections as `claude.execute`, without retries (cc-executor did
 * not build that argv, so it cannot build another). Without stream-json output it is a plain
 * command: no result, exit code decides.
 */
import type { Settings } from "../config/settings.js";
import type { Execution } from "../supervisor/execution/execution.js";
import { ClaudeRun } from "./claude-run.js";

export function attachPassiveClaude(
  execution: Execution,
  settings: Settings,
  env: NodeJS.ProcessEnv,
): ClaudeRun {
  const run = new ClaudeRun({
    mode: "passive",
    authMode: env.ANTHROPIC_API_KEY ? "api-key" : "subscription",
    resultGraceMs: settings.claudeResultGraceMs,
    backgroundWaitMs: settings.claudeBackgroundWaitMs,
    prompt: "",
    verifyUuid: false,
    retry: { maxAttempts: 1, baseMs: 0, maxMs: 0, waitForUsageReset: false, maxUsageWaitMs: 0 },
    spawnFor: () => execution.spec.spawn,
  });
  run.attach(execution);
  return run;
}
