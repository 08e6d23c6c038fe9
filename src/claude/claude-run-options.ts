/**
 * How one Claude run is set up (see claude-run.ts): managed or passive, how it authenticates,
 * how long the CLI may linger after a result, the retry policy, and how to start an attempt.
 */
import type { SpawnSpec } from "../supervisor/process/group-child.js";
import type { AuthMode } from "./detectors.js";
import type { RetryPolicy } from "./retry-policy.js";

export interface ClaudeRunOptions {
  /** managed: `claude.execute` (retries, a run without result fails); passive: `execute`. */
  mode: "managed" | "passive";
  authMode: AuthMode;
  resultGraceMs: number;
  backgroundWaitMs: number;
  /** The user's prompt (managed runs build each attempt's prompt from it). */
  prompt: string;
  /** A fresh UUID per attempt that the answer must end with (managed runs). */
  verifyUuid: boolean;
  retry: RetryPolicy;
  /** The process of an attempt, given its full prompt (managed runs). */
  spawnFor(prompt: string): SpawnSpec;
  now?: () => number;
  random?: () => number;
  newUuid?: () => string;
}
