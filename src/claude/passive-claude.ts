/**
 * `execute` of a command line that starts with `claude` (DESIGN §6): the same completion on the
 * `result` event and the same detections as `claude.execute`, without retries (cc-executor did
 * not build that argv, so it cannot build another). Without stream-json output it is a plain
 * command: no result, exit code decides.
 */
import type { Settings } from "../config/settings.js";
import type { Execution } from "../supervisor/execution.js";
import { ClaudeRun } from "./claude-run.js";

/** Leading `NAME=value` words, then the program: is it the Claude CLI? */
export function startsWithClaude(command: string, claudeBin: string | null): boolean {
  const words = command.trim().split(/\s+/);
  let index = 0;
  while (index < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[index] ?? "")) index++;
  if (words[index] === "env") return startsWithClaude(words.slice(index + 1).join(" "), claudeBin);
  const program = words[index] ?? "";
  if (claudeBin && program === claudeBin) return true;
  return program.slice(program.lastIndexOf("/") + 1) === "claude";
}

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
