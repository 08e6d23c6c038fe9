/**
 * The built-in hooks (DESIGN §7): Python venv activation, the UUID check, metrics. They run in
 * the server (trusted code, no worker) and cost microseconds, so they may run on every execution.
 */
import { existsSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import type { KindMetrics } from "../protocol/hooks.js";
import type { Hook, HookContext, HookDecision, PostHookContext } from "./hook-types.js";

/**
 * `.venv` in the execution's cwd: its `bin` goes first on PATH and VIRTUAL_ENV names it, as
 * `source .venv/bin/activate` would do (PYTHONHOME is removed). A request that sets
 * VIRTUAL_ENV itself is left alone.
 */
export function venvHook(): Hook {
  return {
    name: "builtin:venv",
    type: "builtin",
    phase: "pre",
    kinds: null,
    timeoutMs: 1000,
    describe: "activates <cwd>/.venv when it exists",
    quietWhenIdle: true,
    async run(context: HookContext): Promise<HookDecision> {
      if (context.phase !== "pre") return null;
      const request = context.request;
      const env = (request.env ?? {}) as Record<string, string | null>;
      if (env.VIRTUAL_ENV) return null;
      const cwd = resolve(typeof request.cwd === "string" ? request.cwd : process.cwd());
      const venv = join(cwd, ".venv");
      const bin = join(venv, "bin");
      if (!existsSync(join(bin, "python")) && !existsSync(join(bin, "activate"))) return null;
      const path = env.PATH ?? process.env.PATH ?? "";
      return {
        rewrite: {
          env: { ...env, VIRTUAL_ENV: venv, PATH: `${bin}${delimiter}${path}`, PYTHONHOME: null },
        },
      };
    },
  };
}

/**
 * The UUID check (DESIGN §6): the Claude layer adds a fresh UUID to the prompt and checks the
 * answer ends with it (`verify_uuid`). With `uuid_verification` on, this hook asks for it on
 * every Claude run; after any run that asked, it flags an answer without the UUID.
 */
export function uuidHooks(enforce: boolean): Hook[] {
  const hooks: Hook[] = [];
  if (enforce) {
    hooks.push({
      name: "builtin:uuid-verification",
      type: "builtin",
      phase: "pre",
      kinds: ["claude"],
      timeoutMs: 1000,
      describe: "asks every Claude run to end its answer with a fresh UUID (verify_uuid)",
      quietWhenIdle: true,
      async run(context) {
        if (context.phase !== "pre" || context.request.verify_uuid === true) return null;
        return { rewrite: { verify_uuid: true } };
      },
    });
  }
  hooks.push({
    name: "builtin:uuid-check",
    type: "builtin",
    phase: "post",
    kinds: ["claude"],
    timeoutMs: 1000,
    describe: "reports Claude answers that lack their verification UUID",
    quietWhenIdle: true,
    async run(context) {
      if (context.phase !== "post") return null;
      const verified = context.completion.claude?.uuid_verified;
      if (verified !== false) return null;
      return { flag: "the answer does not contain its verification UUID (possible hallucination)" };
    },
  });
  return hooks;
}

/** Counts of executions by kind and status, durations, cost — shown by hook_status. */
export class MetricsRecorder {
  private readonly byKind = new Map<string, KindMetrics>();
  private since = new Date().toISOString();

  hook(): Hook {
    return {
      name: "builtin:metrics",
      type: "builtin",
      phase: "post",
      kinds: null,
      timeoutMs: 1000,
      describe: "counts executions, durations and cost by kind and status",
      quietWhenIdle: true,
      run: async (context) => {
        if (context.phase === "post") this.record(context);
        return null;
      },
    };
  }

  record(context: PostHookContext): void {
    const { completion } = context;
    let metrics = this.byKind.get(context.kind);
    if (!metrics) {
      metrics = {
        executions: 0,
        by_status: {},
        total_duration_ms: 0,
        max_duration_ms: 0,
        cost_usd: 0,
      };
      this.byKind.set(context.kind, metrics);
    }
    metrics.executions++;
    metrics.by_status[completion.status] = (metrics.by_status[completion.status] ?? 0) + 1;
    metrics.total_duration_ms += completion.duration_ms;
    metrics.max_duration_ms = Math.max(metrics.max_duration_ms, completion.duration_ms);
    metrics.cost_usd += completion.claude?.cost_usd ?? 0;
  }

  snapshot(): { since: string; by_kind: Record<string, KindMetrics> } {
    return {
      since: this.since,
      by_kind: Object.fromEntries(
        [...this.byKind].map(([kind, m]) => [
          kind,
          { ...m, total_duration_ms: Math.round(m.total_duration_ms * 1000) / 1000 },
        ]),
      ),
    };
  }

  reset(): void {
    this.byKind.clear();
    this.since = new Date().toISOString();
  }
}
