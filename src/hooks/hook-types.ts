/**
 * What hooks see and answer (DESIGN §7, docs/hooks.md). Contexts are snake_case JSON, as on the
 * wire: shell hooks get them on stdin, module hooks as their argument.
 */
import type {
  HookOutcome,
  HookResultEntry,
  HookWarningParams,
  TaskRef,
} from "../protocol/hooks.js";
import type { ProcessCompletedParams } from "../protocol/notifications.js";

export type { HookOutcome, HookResultEntry, HookWarningParams, TaskRef };

export type HookPhase = "pre" | "post";
export type HookKind = "command" | "claude";

/** Who an execution is for: the starting connection, and the task-list step if any. */
export interface HookOrigin {
  sessionId: string | null;
  task: TaskRef | null;
}

export interface PreHookContext {
  phase: "pre";
  kind: HookKind;
  execution_id: string;
  session_id: string | null;
  task: TaskRef | null;
  /**
   * The request as it stands after the hooks before this one: `execute` params for commands,
   * `claude.execute` params for Claude runs (`command` or `prompt`, `cwd`, `env`, …).
   */
  request: Record<string, unknown>;
}

export interface PostHookContext {
  phase: "post";
  kind: HookKind;
  execution_id: string;
  session_id: string | null;
  task: TaskRef | null;
  /** The command line, or the prompt of a Claude run. */
  command: string;
  cwd: string;
  /** The execution's `process.completed` params (with `claude` for Claude runs). */
  completion: ProcessCompletedParams;
}

export type HookContext = PreHookContext | PostHookContext;

/**
 * A hook's answer. Pre hooks: null to go on, `{veto}` to refuse the execution, `{rewrite}` to
 * change fields of the request. Post hooks: null, or `{flag}` to report a finding (e.g. a failed
 * verification) as a hook.warning.
 */
export type HookDecision =
  | null
  | { veto: string }
  | { rewrite: Record<string, unknown> }
  | { flag: string };

/** A hook failed (crashed, exited non-zero, threw); the execution goes on. */
export class HookFailure extends Error {
  override name = "HookFailure";
  constructor(
    message: string,
    readonly reason: "failed" | "timeout" | "invalid" = "failed",
  ) {
    super(message);
  }
}

/** One configured or built-in hook, ready to run. */
export interface Hook {
  name: string;
  type: "shell" | "module" | "builtin";
  phase: HookPhase;
  /** Null: every kind. */
  kinds: HookKind[] | null;
  timeoutMs: number;
  /** What it runs (command line, module path, or a description of the built-in). */
  describe: string;
  /** Built-ins that only act sometimes record a result only then (not every execution). */
  quietWhenIdle?: boolean;
  run(context: HookContext): Promise<HookDecision>;
  close?(): Promise<void>;
}
