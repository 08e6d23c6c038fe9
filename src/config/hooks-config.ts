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
import * as z from "../protocol/zod.js";

const seconds = z.number().check(z.positive(), z.lte(3600));
const nonEmptyText = z.string().check(z.minLength(1));

export const HookDefinition = z
  .strictObject({
    /** Shown in hook_status and hook.warning; default: the command or module path. */
    name: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
    /** A shell command line, run with the server's shell. */
    command: z.optional(nonEmptyText),
    /** A JS module (ESM) exporting `pre`/`post` (or a default function); relative to the config file. */
    module: z.optional(nonEmptyText),
    /** Seconds this hook may take (default: hooks.timeout). */
    timeout: z.optional(seconds),
    /** Only for these kinds of execution (default: both). */
    kinds: z.optional(z.array(z.enum(["command", "claude"])).check(z.minLength(1))),
  })
  .check(
    z.refine((hook) => (hook.command === undefined) !== (hook.module === undefined), {
      message: "a hook has either a command or a module",
    }),
  );
export type HookDefinition = z.infer<typeof HookDefinition>;

const hookList = z._default(z.array(HookDefinition).check(z.maxLength(50)), []);
const on = z._default(z.boolean(), true);

export const HooksConfig = z.strictObject({
  /** Default seconds per hook (10). */
  timeout: z._default(seconds, 10),
  pre: hookList,
  post: hookList,
  builtin: z._default(
    z.strictObject({
      /** Put `<cwd>/.venv` first on PATH (with VIRTUAL_ENV) when it exists. */
      venv: on,
      /** Count executions and durations by kind and status (shown in hook_status). */
      metrics: on,
      /** Ask every Claude run for the UUID check (verify_uuid), not only those that say so. */
      uuid_verification: z._default(z.boolean(), false),
    }),
    { venv: true, metrics: true, uuid_verification: false },
  ),
  /** How many recent hook results hook_status keeps (50). */
  recent: z._default(z.int().check(z.gte(0), z.lte(10_000)), 50),
});
export type HooksConfig = z.infer<typeof HooksConfig>;

export const DEFAULT_HOOKS: HooksConfig = HooksConfig.parse({});
