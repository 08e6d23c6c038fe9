/**
 * The hooks a HookService runs, in their order: built-ins first (they take microseconds, so
 * counts are never held up by a slow hook), then the configured ones as listed — each a shell
 * command or a JS module, with the config's default timeout unless it sets its own.
 */

import type { HooksConfig } from "../config/hooks-config.js";
import { MetricsRecorder, uuidHooks, venvHook } from "./builtin-hooks.js";
import type { Hook, HookPhase } from "./hook-types.js";
import { moduleHook } from "./module-hook.js";
import { shellHook } from "./shell-hook.js";

export interface HookLineup {
  pre: Hook[];
  post: Hook[];
  /** The built-in metrics hook's recorder, when it is on. */
  metrics: MetricsRecorder | null;
}

export function hookLineup(
  config: HooksConfig,
  options: { baseDir: string; shellPath: string },
): HookLineup {
  const pre: Hook[] = [];
  const post: Hook[] = [];
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
  const { builtin } = config;
  const metrics = builtin.metrics ? new MetricsRecorder() : null;
  if (metrics) post.push(metrics.hook());
  if (builtin.venv) pre.push(venvHook());
  for (const hook of uuidHooks(builtin.uuid_verification)) {
    (hook.phase === "pre" ? pre : post).push(hook);
  }
  for (const definition of config.pre) pre.push(made(definition, "pre"));
  for (const definition of config.post) post.push(made(definition, "post"));
  return { pre, post, metrics };
}
