/**
 * A request turned into what the supervisor runs: its spec, what attaches to it before its
 * process starts (a Claude run that owns it), and how the audit log names it. Built by
 * command-execution.ts and claude-execution.ts, admitted by local-engine.ts.
 */
import type { Settings } from "../config/settings.js";
import type { TimeoutEstimator } from "../store/timeout-estimator.js";
import type { Execution } from "../supervisor/execution/execution.js";
import type { ExecutionSpec } from "../supervisor/execution/execution-spec.js";

export interface PreparedExecution {
  spec: ExecutionSpec;
  attach?(execution: Execution): void;
  /** The command line, or `claude -p "…"`, as the audit log records it. */
  audited: string;
}

/** What preparing a request needs from the engine. */
export interface PrepareContext {
  settings: Settings;
  estimator: Pick<TimeoutEstimator, "decide">;
  shellPath: string;
  stdbufPath: string | null;
  /** Who the spec is for (StartContext). */
  sessionId: string | null;
  task: ExecutionSpec["task"];
  /**
   * The absolute cwd of a request; default: it must be an existing directory here. A queued
   * engine leaves that check to the worker, whose machine runs it.
   */
  resolveCwd?: (cwd: string | undefined) => string;
}
