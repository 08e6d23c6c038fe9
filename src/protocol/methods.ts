/**
 * Parameter schemas of every JSON-RPC method (DESIGN §4). The server validates with them; the
 * client derives its request types from them. Unknown fields are ignored, for forward
 * compatibility; wrong types are -32602 with the field named.
 */
import { MAX_DURATION_SECONDS, TOO_LONG_SECONDS_MESSAGE } from "./durations.js";
import * as z from "./zod.js";

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
  z.string().check(
    z.refine((text) => !text.includes("\0"), `${what} must not contain NUL characters`),
    z.refine(fitsArg, `${what} must be at most ${MAX_ARG_BYTES} bytes (UTF-8)`),
  );
const nonEmptyArg = (what: string) => argString(what).check(z.minLength(1));

/** Seconds a timer can hold (./durations.ts): a longer one would fire at once. */
const seconds = z
  .number()
  .check(z.positive(), z.lte(MAX_DURATION_SECONDS, TOO_LONG_SECONDS_MESSAGE));
const optionalSeconds = z.optional(seconds);
/** Seconds, or "auto": the learned usual time of this command (p90 of past runs × margin). */
const timeout = z.optional(z.union([seconds, z.literal("auto")]));
const executionId = z
  .string()
  .check(
    z.regex(
      EXECUTION_ID,
      "execution_id must be 1-128 characters of [A-Za-z0-9._:-], starting with a letter or digit",
    ),
  );
const positiveInt = z.int().check(z.positive());
const flag = z._default(z.boolean(), false);

const envRecord = z.record(z.string(), z.nullable(argString("env values"))).check(
  z.refine((env) => Object.keys(env).every((name) => ENV_NAME.test(name) && name !== "__proto__"), {
    message: "env names must match [A-Za-z_][A-Za-z0-9_]*",
  }),
  z.refine(
    (env) => Object.entries(env).every(([name, value]) => fitsArg(`${name}=${value ?? ""}`)),
    { message: `each env entry NAME=value must be at most ${MAX_ARG_BYTES} bytes (UTF-8)` },
  ),
);

export const ExecuteParams = z.object({
  // Emptiness is reported as -32001 by the handler (DESIGN §4), so only the type is checked here.
  command: argString("command"),
  timeout,
  idle_timeout: optionalSeconds,
  cwd: z.optional(nonEmptyArg("cwd")),
  env: z.optional(envRecord),
  execution_id: z.optional(executionId),
  output_encoding: z._default(z.enum(["utf8", "base64"]), "utf8"),
  kill_on_disconnect: flag,
});
export type ExecuteParams = z.infer<typeof ExecuteParams>;
export type ExecuteRequest = z.input<typeof ExecuteParams>;

/** A CLI option value: never empty, never taken for a flag (no leading "-"). */
const optionValue = (what: string) =>
  nonEmptyArg(what).check(
    z.refine((text) => !text.startsWith("-"), `${what} must not start with "-"`),
  );

/** `claude.execute` (DESIGN §6, docs/claude.md): a Claude Code run, argv built without a shell. */
export const ClaudeExecuteParams = z.object({
  prompt: argString("prompt").check(
    z.refine((text) => text.trim().length > 0, "prompt must not be empty"),
  ),
  cwd: z.optional(nonEmptyArg("cwd")),
  model: z.optional(optionValue("model")),
  /** Tool names (`Write`, `Bash(git *)`); a string is split at commas. */
  allowed_tools: z.optional(
    z.union([z.array(optionValue("allowed_tools")), argString("allowed_tools")]),
  ),
  permission_mode: z.optional(
    z
      .string()
      .check(z.regex(/^[A-Za-z]+$/, "permission_mode must be a mode name such as acceptEdits")),
  ),
  max_turns: z.optional(positiveInt),
  append_system_prompt: z.optional(argString("append_system_prompt")),
  resume_session: z.optional(optionValue("resume_session")),
  /** Passed to `--mcp-config` (a file path or a JSON string). */
  mcp_config: z.optional(optionValue("mcp_config")),
  timeout,
  idle_timeout: optionalSeconds,
  verify_uuid: flag,
  /** Extra attempts after the first for recoverable failures (default: server setting, 2). */
  retries: z.optional(z.int().check(z.gte(0), z.lte(20))),
  execution_id: z.optional(executionId),
  env: z.optional(envRecord),
  /** On a usage limit, wait until its reset time and try again instead of failing. */
  wait_for_usage_reset: flag,
  /** Default: the server's CC_EXECUTOR_CLAUDE_AUTH. */
  auth_mode: z.optional(z.enum(["subscription", "api-key"])),
  kill_on_disconnect: flag,
});
export type ClaudeExecuteParams = z.infer<typeof ClaudeExecuteParams>;
export type ClaudeExecuteRequest = z.input<typeof ClaudeExecuteParams>;

export const ControlType = z.enum(["PAUSE", "RESUME", "CANCEL"]);
export type ControlType = z.infer<typeof ControlType>;

export const ControlParams = z.object({
  type: z.pipe(
    z.pipe(
      z.string(),
      z.transform((value) => value.toUpperCase()),
    ),
    ControlType,
  ),
  execution_id: z.optional(executionId),
});
export type ControlParams = z.infer<typeof ControlParams>;

export const SubscribeParams = z.object({
  execution_id: executionId,
  after_seq: z._default(z.int().check(z.gte(0)), 0),
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

export const ExecutionsListParams = z._default(
  z.object({
    status: z.optional(z.union([ExecutionStatus, z.array(ExecutionStatus)])),
    limit: z._default(positiveInt.check(z.lte(10_000)), 100),
  }),
  { limit: 100 },
);

export const NoParams = z.optional(z.union([z.object({}), z.array(z.never()).check(z.length(0))]));

/** `pong` takes anything: old clients send it in answer to a heartbeat. */
export const PongParams = z.unknown();
