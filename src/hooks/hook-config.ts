/**
 * The `hooks` key of cc-executor.config.json (DESIGN §7, docs/hooks.md):
 *
 *   "hooks": {
 *     "timeout": 10,
 *     "pre":  [{ "name": "policy", "command": "python3 hooks/policy.py", "kinds": ["command"] }],
 *     "post": [{ "name": "notify", "module": "./hooks/notify.mjs", "timeout": 5 }],
 *     "builtin": { "venv": true, "metrics": true, "uuid_verification": false }
 *   }
 *
 * A hook is a shell command (context as JSON on stdin, CC_EXECUTOR_* variables) or a JS module
 * (run in a worker thread). No Node imports here: settings validation reuses it.
 */
import { z } from "zod";

const seconds = z.number().positive().finite().max(3600);

export const HookDefinition = z
  .strictObject({
    /** Shown in hook_status and hook.warning; default: the command or module path. */
    name: z.string().min(1).max(100).optional(),
    /** A shell command line, run with the server's shell. */
    command: z.string().min(1).optional(),
    /** A JS module (ESM) exporting `pre`/`post` (or a default function); relative to the config file. */
    module: z.string().min(1).optional(),
    /** Seconds this hook may take (default: hooks.timeout). */
    timeout: seconds.optional(),
    /** Only for these kinds of execution (default: both). */
    kinds: z
      .array(z.enum(["command", "claude"]))
      .min(1)
      .optional(),
  })
  .refine((hook) => (hook.command === undefined) !== (hook.module === undefined), {
    message: "a hook has either a command or a module",
  });
export type HookDefinition = z.infer<typeof HookDefinition>;

export const HooksConfig = z.strictObject({
  /** Default seconds per hook (10). */
  timeout: seconds.default(10),
  pre: z.array(HookDefinition).max(50).default([]),
  post: z.array(HookDefinition).max(50).default([]),
  builtin: z
    .strictObject({
      /** Put `<cwd>/.venv` first on PATH (with VIRTUAL_ENV) when it exists. */
      venv: z.boolean().default(true),
      /** Count executions and durations by kind and status (shown in hook_status). */
      metrics: z.boolean().default(true),
      /** Ask every Claude run for the UUID check (verify_uuid), not only those that say so. */
      uuid_verification: z.boolean().default(false),
    })
    .default({ venv: true, metrics: true, uuid_verification: false }),
  /** How many recent hook results hook_status keeps (50). */
  recent: z.number().int().min(0).max(10_000).default(50),
});
export type HooksConfig = z.infer<typeof HooksConfig>;

export const DEFAULT_HOOKS: HooksConfig = HooksConfig.parse({});
