/**
 * The one schema of a task list (DESIGN §7), whatever it was written in: Markdown, JSON, YAML or
 * an API value. Keys are snake_case as in the protocol. Settings at the top level are the
 * defaults of every task; a task's own settings win. No Node imports: the client may reuse it.
 *
 *   name: Build a notes API
 *   cwd: workspace
 *   timeout: 15m
 *   allowed_tools: [Write, Read]
 *   continue_on_failure: false
 *   tasks:
 *     - name: Create the module
 *       prompt: Create todo.py with add() and list()
 *     - command: python3 -c "import todo"
 */
import { MAX_DURATION_SECONDS, TOO_LONG_SECONDS_MESSAGE } from "../protocol/durations.js";
import * as z from "../protocol/zod.js";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h)?\s*$/i;
const SECONDS_HINT = "expected seconds: a number, or a duration such as 90s, 15m, 2h";

/** "90" and 90 are seconds; "90s", "15m", "2h", "500ms" say their unit. */
export function durationSeconds(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const match = DURATION.exec(value);
  if (!match) return value;
  const amount = Number(match[1]);
  switch ((match[2] ?? "s").toLowerCase()) {
    case "ms":
      return amount / 1000;
    case "m":
    case "min":
      return amount * 60;
    case "h":
      return amount * 3600;
    default:
      return amount;
  }
}

const Seconds = z.pipe(
  z.transform(durationSeconds),
  // z.number() already rejects Infinity and NaN, with the message given here.
  z
    .number({ error: SECONDS_HINT })
    .check(z.positive(SECONDS_HINT), z.lte(MAX_DURATION_SECONDS, TOO_LONG_SECONDS_MESSAGE)),
);

/** `[Write, Read]`, or one string: "Write, Read" / "Write Read". */
const ToolList = z.pipe(
  z.transform((value: unknown) =>
    typeof value === "string"
      ? value
          .split(/[,\s]+/)
          .map((tool) => tool.trim())
          .filter(Boolean)
      : value,
  ),
  z
    .array(z.string().check(z.minLength(1)), { error: "expected a list of tool names" })
    .check(z.minLength(1)),
);

const EnvMap = z
  .record(
    z.string().check(z.regex(ENV_NAME, "env names must match [A-Za-z_][A-Za-z0-9_]*")),
    z.pipe(z.union([z.string(), z.number(), z.boolean()]), z.transform(String)),
  )
  .check(z.refine((env) => !Object.hasOwn(env, "__proto__"), "env may not name __proto__"));

const NonEmpty = z.string().check(z.minLength(1));

/** Settings a task can have, and the list can give as defaults. */
const taskSettings = {
  timeout: z.optional(Seconds),
  idle_timeout: z.optional(Seconds),
  cwd: z.optional(NonEmpty),
  model: z.optional(NonEmpty),
  allowed_tools: z.optional(ToolList),
  permission_mode: z.optional(NonEmpty),
  max_turns: z.optional(z.int().check(z.positive())),
  retries: z.optional(z.int().check(z.gte(0), z.lte(20))),
  verify_uuid: z.optional(z.boolean()),
  /** A check run after each attempt that completed; non-zero fails the attempt (DESIGN §7). */
  verify: z.optional(NonEmpty),
  env: z.optional(EnvMap),
};

/** The setting names, for the Markdown parser (which reads `key: value` lines). */
export const TASK_SETTING_KEYS: readonly string[] = [
  ...Object.keys(taskSettings),
  "name",
  "command",
  "continue_on_failure",
];

/** "Task 3: Do X" → "Do X" (lists written as plain strings, as the original took them). */
const TASK_PREFIX = /^\s*Task\s+\d+\s*(?:\([^)]*\))?\s*[:.\-–—]\s*/i;

/** In YAML, `- Task 1: Do X` is a one-key map: read it as the prompt it was meant to be. */
const TASK_KEY = /^\s*Task\s+\d+\b/i;

function taskShorthand(value: unknown): unknown {
  if (typeof value === "string") return { prompt: value.replace(TASK_PREFIX, "") };
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const entries = Object.entries(value);
  const [only] = entries;
  if (entries.length === 1 && only && TASK_KEY.test(only[0]) && typeof only[1] === "string") {
    return { prompt: only[1] };
  }
  return value;
}

export const TaskDefinition = z.pipe(
  z.transform(taskShorthand),
  z
    .strictObject({
      name: z.optional(NonEmpty),
      prompt: z.optional(z.string()),
      command: z.optional(z.string()),
      /** Overrides the list's `continue_on_failure` for this task. */
      continue_on_failure: z.optional(z.boolean()),
      ...taskSettings,
    })
    .check(
      z.superRefine((task, context) => {
        const prompt = task.prompt?.trim() ?? "";
        const command = task.command?.trim() ?? "";
        if (prompt && command) {
          context.addIssue({
            code: "custom",
            path: ["command"],
            message: "a task has a prompt or a command, not both",
          });
        } else if (!prompt && !command) {
          context.addIssue({
            code: "custom",
            path:
              task.prompt !== undefined
                ? ["prompt"]
                : task.command !== undefined
                  ? ["command"]
                  : [],
            message:
              "a task needs a prompt (a Claude task) or a command (a shell command), not empty",
          });
        }
      }),
    ),
);
export type TaskDefinition = z.infer<typeof TaskDefinition>;

export const TaskListDefinition = z.pipe(
  z.transform((value: unknown) => (Array.isArray(value) ? { tasks: value } : value)),
  z.strictObject({
    name: z.optional(NonEmpty),
    description: z.optional(z.string()),
    /** Go on with the next task after one fails (default: stop the list). */
    continue_on_failure: z._default(z.boolean(), false),
    /** First wait before a retry; it doubles each time, up to 5 minutes. Default 2 s. */
    retry_delay: z.optional(Seconds),
    ...taskSettings,
    tasks: z
      .array(TaskDefinition, { error: "expected a list of tasks" })
      .check(
        z.minLength(1, "a task list needs at least one task"),
        z.maxLength(1000, "at most 1000 tasks"),
      ),
  }),
);
export type TaskListDefinition = z.infer<typeof TaskListDefinition>;
export type TaskListInput = z.input<typeof TaskListDefinition>;

// The resolved list is what the journal stores, so its shape is the store's (task-run-record.ts).
export type { ResolvedTask, ResolvedTaskList, TaskListFormat } from "../store/task-run-record.js";

export const DEFAULT_RETRY_DELAY_MS = 2000;
