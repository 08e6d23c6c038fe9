/**
 * Runs the pre- and post-execution hooks of every execution (DESIGN §7, docs/hooks.md).
 *
 * - `before` runs where an execution is admitted (`execute`, `claude.execute`, task steps), on
 *   the request: a pre hook may veto it (the request fails with -32001) or rewrite fields of it
 *   (re-validated with the method's own schema). Built-ins first, then the configured ones, in
 *   their order; each sees the request as the hooks before it left it.
 * - `after` runs when any execution has ended (a supervisor observer), without delaying anyone.
 * - A hook that fails, times out or answers nonsense is reported (`hook.warning` to whoever the
 *   execution is for, the server log, hook_status) and otherwise ignored: never a crash.
 */
import { performance } from "node:perf_hooks";
import type { Logger } from "../log/logger.js";
import { ErrorCode, RpcError } from "../protocol/errors.js";
import type { HookStatusResult } from "../protocol/hooks.js";
import { ClaudeExecuteParams, ExecuteParams } from "../protocol/methods.js";
import type { Execution } from "../supervisor/execution.js";
import { MetricsRecorder, uuidHooks, venvHook } from "./builtin-hooks.js";
import type { HooksConfig } from "./hook-config.js";
import {
  type Hook,
  type HookContext,
  type HookDecision,
  HookFailure,
  type HookKind,
  type HookOrigin,
  type HookOutcome,
  type HookPhase,
  type HookResultEntry,
  type HookWarningParams,
  type TaskRef,
} from "./hook-types.js";
import { moduleHook } from "./module-hook.js";
import { shellHook } from "./shell-hook.js";

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

export interface HookServiceOptions {
  /** Where shell hooks run and relative module paths start (the config file's folder). */
  baseDir: string;
  shellPath: string;
  logger: Logger;
}

type WarningListener = (warning: HookWarningParams, origin: HookOrigin) => void;

interface Counters {
  runs: number;
  failures: number;
  lastOutcome: HookOutcome | null;
  lastAt: string | null;
}

export class HookService {
  readonly metrics: MetricsRecorder | null;
  /** The task-list step an execution belongs to (set by the task service). */
  taskOf: (executionId: string) => TaskRef | null = () => null;
  private readonly pre: Hook[] = [];
  private readonly post: Hook[] = [];
  private readonly counters = new Map<Hook, Counters>();
  private readonly recent: HookResultEntry[] = [];
  private readonly listeners = new Set<WarningListener>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly config: HooksConfig,
    private readonly options: HookServiceOptions,
  ) {
    const timeoutMs = config.timeout * 1000;
    const made = (definition: HooksConfig["pre"][number], phase: HookPhase): Hook =>
      definition.command !== undefined
        ? shellHook({ ...definition, command: definition.command }, phase, {
            shellPath: options.shellPath,
            cwd: options.baseDir,
            defaultTimeoutMs: timeoutMs,
          })
        : moduleHook({ ...definition, module: definition.module ?? "" }, phase, {
            baseDir: options.baseDir,
            defaultTimeoutMs: timeoutMs,
          });
    // Built-ins first (they take microseconds): counts are never held up by a slow hook.
    const { builtin } = config;
    this.metrics = builtin.metrics ? new MetricsRecorder() : null;
    if (this.metrics) this.post.push(this.metrics.hook());
    if (builtin.venv) this.pre.push(venvHook());
    for (const hook of uuidHooks(builtin.uuid_verification)) {
      (hook.phase === "pre" ? this.pre : this.post).push(hook);
    }
    for (const definition of config.pre) this.pre.push(made(definition, "pre"));
    for (const definition of config.post) this.post.push(made(definition, "post"));
  }

  onWarning(listener: WarningListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Runs the pre hooks on a request about to become execution `executionId`; resolves with the
   * request as the hooks left it. Throws RpcError -32001 when a hook vetoes.
   */
  async before<T extends object>(
    kind: HookKind,
    request: T,
    executionId: string,
    origin: HookOrigin,
  ): Promise<T> {
    let current = request as Record<string, unknown>;
    for (const hook of this.pre) {
      if (hook.kinds && !hook.kinds.includes(kind)) continue;
      const context: HookContext = {
        phase: "pre",
        kind,
        execution_id: executionId,
        session_id: origin.sessionId,
        task: origin.task,
        request: current,
      };
      const startedMs = performance.now();
      let decision: HookDecision;
      try {
        decision = await hook.run(context);
        if (decision && "rewrite" in decision) {
          const changed = Object.keys(decision.rewrite);
          current = rewritten(kind, current, decision.rewrite);
          this.record(hook, executionId, "rewrite", startedMs, `changed ${changed.join(", ")}`);
          continue;
        }
      } catch (error) {
        this.failed(hook, executionId, startedMs, error, origin);
        continue;
      }
      if (decision && "veto" in decision) {
        this.record(hook, executionId, "veto", startedMs, decision.veto);
        throw new RpcError(
          ErrorCode.CommandNotAllowed,
          `vetoed by hook ${hook.name}: ${decision.veto}`,
          { hook: hook.name, reason: decision.veto },
        );
      }
      this.settled(hook, executionId, startedMs, decision, origin);
    }
    return current as T;
  }

  /** Supervisor observer: the post hooks of an execution that ended, in the background. */
  ended(execution: Execution): void {
    const completion = execution.completion;
    if (!completion) return;
    const kind = execution.spec.kind;
    const hooks = this.post.filter((hook) => !hook.kinds || hook.kinds.includes(kind));
    if (hooks.length === 0) return;
    const origin: HookOrigin = {
      sessionId: execution.spec.sessionId,
      task: this.taskOf(execution.id),
    };
    const context: HookContext = {
      phase: "post",
      kind,
      execution_id: execution.id,
      session_id: origin.sessionId,
      task: origin.task,
      command: execution.spec.command,
      cwd: execution.spec.spawn.cwd,
      completion,
    };
    const run = (async () => {
      for (const hook of hooks) {
        const startedMs = performance.now();
        try {
          this.settled(hook, execution.id, startedMs, await hook.run(context), origin);
        } catch (error) {
          this.failed(hook, execution.id, startedMs, error, origin);
        }
      }
    })();
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  status(): HookStatusResult {
    return {
      hooks: [...this.pre, ...this.post].map((hook) => {
        const counters = this.counters.get(hook);
        return {
          name: hook.name,
          type: hook.type,
          phase: hook.phase,
          kinds: hook.kinds,
          run: hook.describe,
          timeout_seconds: hook.timeoutMs / 1000,
          runs: counters?.runs ?? 0,
          failures: counters?.failures ?? 0,
          last_outcome: counters?.lastOutcome ?? null,
          last_at: counters?.lastAt ?? null,
        };
      }),
      recent: [...this.recent].reverse(),
      metrics: this.metrics?.snapshot() ?? null,
    };
  }

  /** Waits for post hooks under way (each is bounded by its timeout), then stops workers. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
    await Promise.allSettled([...this.pre, ...this.post].map((hook) => hook.close?.()));
  }

  private settled(
    hook: Hook,
    executionId: string,
    startedMs: number,
    decision: HookDecision,
    origin: HookOrigin,
  ): void {
    if (decision && "flag" in decision) {
      this.record(hook, executionId, "flagged", startedMs, decision.flag);
      this.warn(hook, executionId, "flagged", decision.flag, origin);
      return;
    }
    this.record(hook, executionId, "ok", startedMs, null);
  }

  private failed(
    hook: Hook,
    executionId: string,
    startedMs: number,
    error: unknown,
    origin: HookOrigin,
  ): void {
    const failure =
      error instanceof HookFailure ? error : new HookFailure(String((error as Error)?.message));
    const outcome: HookOutcome = failure.reason === "timeout" ? "timeout" : "failed";
    this.record(hook, executionId, outcome, startedMs, failure.message);
    this.warn(hook, executionId, failure.reason, failure.message, origin);
  }

  private warn(
    hook: Hook,
    executionId: string,
    reason: HookWarningParams["reason"],
    message: string,
    origin: HookOrigin,
  ): void {
    const warning: HookWarningParams = {
      execution_id: executionId,
      hook: hook.name,
      phase: hook.phase,
      reason,
      message,
    };
    if (origin.task) warning.task = origin.task;
    this.options.logger.warn(warning, "hook warning");
    for (const listener of this.listeners) {
      try {
        listener(warning, origin);
      } catch (error) {
        this.options.logger.error({ err: error }, "hook warning listener failed");
      }
    }
  }

  private record(
    hook: Hook,
    executionId: string,
    outcome: HookOutcome,
    startedMs: number,
    message: string | null,
  ): void {
    const at = new Date().toISOString();
    const counters = this.counters.get(hook) ?? {
      runs: 0,
      failures: 0,
      lastOutcome: null,
      lastAt: null,
    };
    counters.runs++;
    if (outcome === "failed" || outcome === "timeout") counters.failures++;
    counters.lastOutcome = outcome;
    counters.lastAt = at;
    this.counters.set(hook, counters);
    if (hook.quietWhenIdle && outcome === "ok") return;
    if (this.config.recent === 0) return;
    this.recent.push({
      hook: hook.name,
      phase: hook.phase,
      execution_id: executionId,
      outcome,
      duration_ms: Math.round((performance.now() - startedMs) * 1000) / 1000,
      message,
      at,
    });
    if (this.recent.length > this.config.recent) this.recent.shift();
  }
}

/** The request with a hook's changes, re-validated by the method's schema; throws HookFailure. */
function rewritten(
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
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
    throw new HookFailure(
      `rewrote the request into an invalid one: ${where}${issue?.message}`,
      "invalid",
    );
  }
  // Keep what the caller had (e.g. fields the schema does not know) under the validated values.
  return { ...next, ...(parsed.data as Record<string, unknown>) };
}
