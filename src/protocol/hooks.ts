/** Hooks on the wire (DESIGN §7, docs/hooks.md): `hook.warning` and the `hook_status` result. */

/** The task-list step an execution belongs to. */
export interface TaskRef {
  run_id: string;
  /** 1-based, as in `{{tasks.N.result}}`. */
  index: number;
  name: string | null;
  total: number;
}

/** `hook.warning`: a hook failed, timed out, answered nonsense, or flagged a finding. */
export interface HookWarningParams {
  execution_id: string;
  hook: string;
  phase: "pre" | "post";
  reason: "failed" | "timeout" | "invalid" | "flagged";
  message: string;
  /** When the execution is a task-list step. */
  task?: TaskRef;
}

export type HookOutcome = "ok" | "rewrite" | "veto" | "flagged" | "failed" | "timeout";

export interface HookResultEntry {
  hook: string;
  phase: "pre" | "post";
  execution_id: string;
  outcome: HookOutcome;
  duration_ms: number;
  /** Why it vetoed, what it rewrote, how it failed. */
  message: string | null;
  at: string;
}

export interface HookSummary {
  name: string;
  type: "shell" | "module" | "builtin";
  phase: "pre" | "post";
  /** Null: every kind of execution. */
  kinds: Array<"command" | "claude"> | null;
  /** What it runs: the command line, the module's path, or what the built-in does. */
  run: string;
  timeout_seconds: number;
  runs: number;
  failures: number;
  last_outcome: HookOutcome | null;
  last_at: string | null;
}

export interface KindMetrics {
  executions: number;
  by_status: Record<string, number>;
  total_duration_ms: number;
  max_duration_ms: number;
  cost_usd: number;
}

export interface HookStatusResult {
  hooks: HookSummary[];
  /** Newest first. */
  recent: HookResultEntry[];
  /** The built-in metrics hook's counts (null when it is off). */
  metrics: { since: string; by_kind: Record<string, KindMetrics> } | null;
}
