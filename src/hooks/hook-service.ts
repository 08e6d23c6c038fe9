/**
 * Runs the pre- and post-execution hooks of every execution (DESIGN §7, docs/hooks.md).
 *
 * - `before` runs where an execution is admitted (`execute`, `claude.execute`, task steps), on
 *   the request: a pre hook may veto it (HookVetoError, -32001 on the wire) or rewrite fields of it
 *   (re-validated with the method's own schema). Built-ins first, then the configured ones, in
 *   their order; each sees the request as the hooks before it left it.
 * - `after` runs when any execution has ended (the server observes the engine), without
 *   delaying anyone.
 * - A hook that fails, times out or answers nonsense is reported (`hook.warning` to whoever the
 *   execution is for, the server log, hook_status) and otherwise ignored: never a crash.
 */
import { performance } from "node:perf_hooks";
import type { HooksConfig } from "../config/hooks-config.js";
import type { Logger } from "../log/logger.js";
import type { HookStatusResult } from "../protocol/hooks.js";
import type { ProcessCompletedParams } from "../protocol/notifications.js";
import { DomainError } from "../runtime/domain-error.js";
import type { ExecutionSpec } from "../supervisor/execution/execution-spec.js";
import type { MetricsRecorder } from "./builtin-hooks.js";
import { HookLedger } from "./hook-ledger.js";
import { hookLineup } from "./hook-lineup.js";
import { rewritten } from "./hook-rewrite.js";
import {
  type Hook,
  type HookContext,
  type HookDecision,
  HookFailure,
  type HookKind,
  type HookOrigin,
  type HookOutcome,
  type HookWarningParams,
} from "./hook-types.js";

export interface HookServiceOptions {
  /** Where shell hooks run and relative module paths start (the config file's folder). */
  baseDir: string;
  shellPath: string;
  logger: Logger;
}

type WarningListener = (warning: HookWarningParams, origin: HookOrigin) => void;

export class HookService {
  readonly metrics: MetricsRecorder | null;
  private readonly pre: Hook[];
  private readonly post: Hook[];
  private readonly ledger: HookLedger;
  private readonly listeners = new Set<WarningListener>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    config: HooksConfig,
    private readonly options: HookServiceOptions,
  ) {
    const { pre, post, metrics } = hookLineup(config, options);
    this.pre = pre;
    this.post = post;
    this.metrics = metrics;
    this.ledger = new HookLedger(config);
  }

  onWarning(listener: WarningListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Runs the pre hooks on a request about to become execution `executionId`; resolves with the
   * request as the hooks left it. Throws HookVetoError when a hook vetoes.
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
          const changed = Object.keys(decision.rewrite).join(", ");
          current = rewritten(kind, current, decision.rewrite);
          this.ledger.record(hook, executionId, "rewrite", startedMs, `changed ${changed}`);
          continue;
        }
      } catch (error) {
        this.failed(hook, executionId, startedMs, error, origin);
        continue;
      }
      if (decision && "veto" in decision) {
        this.ledger.record(hook, executionId, "veto", startedMs, decision.veto);
        throw new HookVetoError(hook.name, decision.veto);
      }
      this.settled(hook, executionId, startedMs, decision, origin);
    }
    return current as T;
  }

  /**
   * The post hooks of an execution that ended, in the background. `completion` is its
   * `process.completed` as clients saw it (hooks get it as documented in docs/hooks.md).
   */
  after(spec: ExecutionSpec, completion: ProcessCompletedParams): void {
    const { kind } = spec;
    const hooks = this.post.filter((hook) => !hook.kinds || hook.kinds.includes(kind));
    if (hooks.length === 0) return;
    const origin: HookOrigin = { sessionId: spec.sessionId, task: spec.task ?? null };
    const executionId = spec.id;
    const context: HookContext = {
      phase: "post",
      kind,
      execution_id: executionId,
      session_id: origin.sessionId,
      task: origin.task,
      command: spec.command,
      cwd: spec.spawn.cwd,
      completion,
    };
    const run = (async () => {
      for (const hook of hooks) {
        const startedMs = performance.now();
        try {
          this.settled(hook, executionId, startedMs, await hook.run(context), origin);
        } catch (error) {
          this.failed(hook, executionId, startedMs, error, origin);
        }
      }
    })();
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  status(): HookStatusResult {
    return {
      ...this.ledger.status([...this.pre, ...this.post]),
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
      this.ledger.record(hook, executionId, "flagged", startedMs, decision.flag);
      this.warn(hook, executionId, "flagged", decision.flag, origin);
      return;
    }
    this.ledger.record(hook, executionId, "ok", startedMs, null);
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
    this.ledger.record(hook, executionId, outcome, startedMs, failure.message);
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
}

/** A pre hook refused the execution. */
export class HookVetoError extends DomainError {
  override name = "HookVetoError";
  constructor(hook: string, reason: string) {
    super("not_allowed", `vetoed by hook ${hook}: ${reason}`, { hook, reason });
  }
}
