/**
 * Parameter schemas of every JSON-RPC method (DESIGN §4). The server validates with them; the
 * client derives its request types from them. Unknown fields are ignored, for forward
 * compatibility; wrong types are -32602 with the field named.
 */
import { z } from "zod";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// The id names the execution's spool directory, so it must never be "." or "..": it starts
// with a letter or digit.
const EXECUTION_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/**
 * Linux refuses to start a process (E2BIG) when one argv or env string reaches 128 KiB
 * (MAX_ARG_STRLEN), and no such string can hold a NUL. Both are checked here so a bad command
 * is a -32602 for the client, not a spawn failure inside the server.
 */
export const MAX_ARG_BYTES = 128_000;
const utf8 = new TextEncoder();
const fitsArg = (text: string) =>
  text.length <= MAX_ARG_BYTES / 3 || utf8.encode(text).length <= MAX_ARG_BYTES;
const argString = (what: string) =>
  z
    .string()
    .refine((text) => !text.includes("\0"), `${what} must not contain NUL characters`)
    .refine(fitsArg, `${what} must be at most ${MAX_ARG_BYTES} bytes (UTF-8)`);

const seconds = z.number().positive().finite();
const executionId = z
  .string()
  .regex(
    EXECUTION_ID,
    "execution_id must be 1-128 characters of [A-Za-z0-9._:-], starting with a letter or digit",
  );

const envRecord = z
  .record(z.string(), argString("env values").nullable())
  .refine((env) => Object.keys(env).every((name) => ENV_NAME.test(name) && name !== "__proto__"), {
    message: "env names must match [A-Za-z_][A-Za-z0-9_]*",
  })
  .refine(
    (env) => Object.entries(env).every(([name, value]) => fitsArg(`${name}=${value ?? ""}`)),
    {
      message: `each env entry NAME=value must be at most ${MAX_ARG_BYTES} bytes (UTF-8)`,
    },
  );

export const ExecuteParams = z.object({
  // Emptiness is reported as -32001 by the handler (DESIGN §4), so only the type is checked here.
  command: argString("command"),
  /** Seconds, or "auto": the learned usual time of this command (p90 of past runs × margin). */
  timeout: z.union([seconds, z.literal("auto")]).optional(),
  idle_timeout: seconds.optional(),
  cwd: argString("cwd").min(1).optional(),
  env: envRecord.optional(),
  execution_id: executionId.optional(),
  output_encoding: z.enum(["utf8", "base64"]).default("utf8"),
  kill_on_disconnect: z.boolean().default(false),
});
export type ExecuteParams = z.infer<typeof ExecuteParams>;
export type ExecuteRequest = z.input<typeof ExecuteParams>;

/** A CLI option value: never empty, never taken for a flag (no leading "-"). */
const optionValue = (what: string) =>
  argString(what)
    .min(1)
    .refine((text) => !text.startsWith("-"), `${what} must not start with "-"`);

/** `claude.execute` (DESIGN §6, docs/claude.md): a Claude Code run, argv built without a shell. */
export const ClaudeExecuteParams = z.object({
  prompt: argString("prompt").refine((text) => text.trim().length > 0, "prompt must not be empty"),
  cwd: argString("cwd").min(1).optional(),
  model: optionValue("model").optional(),
  /** Tool names (`Write`, `Bash(git *)`); a string is split at commas. */
  allowed_tools: z
    .union([optionValue("allowed_tools").array(), argString("allowed_tools")])
    .optional(),
  permission_mode: z
    .string()
    .regex(/^[A-Za-z]+$/, "permission_mode must be a mode name such as acceptEdits")
    .optional(),
  max_turns: z.number().int().positive().optional(),
  append_system_prompt: argString("append_system_prompt").optional(),
  resume_session: optionValue("resume_session").optional(),
  /** Passed to `--mcp-config` (a file path or a JSON string). */
  mcp_config: optionValue("mcp_config").optional(),
  /** Seconds, or "auto" (learned from history); default: none. */
  timeout: z.union([seconds, z.literal("auto")]).optional(),
  idle_timeout: seconds.optional(),
  verify_uuid: z.boolean().default(false),
  /** Extra attempts after the first for recoverable failures (default: server setting, 2). */
  retries: z.number().int().min(0).max(20).optional(),
  execution_id: executionId.optional(),
  env: envRecord.optional(),
  /** On a usage limit, wait until its reset time and try again instead of failing. */
  wait_for_usage_reset: z.boolean().default(false),
  /** Default: the server's CC_EXECUTOR_CLAUDE_AUTH. */
  auth_mode: z.enum(["subscription", "api-key"]).optional(),
  kill_on_disconnect: z.boolean().default(false),
});
export type ClaudeExecuteParams = z.infer<typeof ClaudeExecuteParams>;
export type ClaudeExecuteRequest = z.input<typeof ClaudeExecuteParams>;

export const ControlType = z.enum(["PAUSE", "RESUME", "CANCEL"]);
export type ControlType = z.infer<typeof ControlType>;

export const ControlParams = z.object({
  type: z
    .string()
    .transform((value) => value.toUpperCase())
    .pipe(ControlType),
  execution_id: executionId.optional(),
});
export type ControlParams = z.infer<typeof ControlParams>;

export const SubscribeParams = z.object({
  execution_id: executionId,
  after_seq: z.number().int().min(0).default(0),
});
export type SubscribeParams = z.infer<typeof SubscribeParams>;

export const UnsubscribeParams = z.object({ execution_id: executionId });

export const ExecutionStatus = z.enum([
  "queued",
  "running",
  "paused",
  "completed",
  "failed",
  "canceled",
  "timed_out",
  "interrupted",
]);
export type ExecutionStatus = z.infer<typeof ExecutionStatus>;

export const FINAL_STATUSES = [
  "completed",
  "failed",
  "canceled",
  "timed_out",
  "interrupted",
] as const;
export type FinalStatus = (typeof FINAL_STATUSES)[number];

export const ExecutionsListParams = z
  .object({
    status: z.union([ExecutionStatus, z.array(ExecutionStatus)]).optional(),
    limit: z.number().int().positive().max(10_000).default(100),
  })
  .default({ limit: 100 });

export const NoParams = z.union([z.object({}), z.array(z.never()).length(0)]).optional();

/** Every method the server answers; the dispatch table is keyed by exactly these names. */
export const METHOD_NAMES = [
  "execute",
  "control",
  "subscribe",
  "unsubscribe",
  "hook_status",
  "pong",
  "executions.list",
  "server.status",
  "history.list",
  "history.get",
  "claude.execute",
  "tasks.run",
  "tasks.get",
  "tasks.resume",
  "tasks.cancel",
  "tasks.list",
] as const;
export type MethodName = (typeof METHOD_NAMES)[number];
