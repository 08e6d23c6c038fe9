/**
 * The Claude CLI's `--output-format stream-json` lines (docs/claude-cli.md), parsed with zod.
 *
 * Lenient on purpose: the CLI adds fields and event types between versions, so every schema is a
 * loose object (unknown keys kept), only the fields cc-executor reads are checked, and a line
 * that is JSON but of an unknown or unexpected shape is kept as `other` rather than dropped.
 * No Node imports: the client SDK parses the same lines in browsers.
 */
import * as z from "./zod.js";

const nullableNumber = z.optional(z.nullable(z.number()));

export const ContentBlock = z.looseObject({ type: z.string() });
export type ContentBlock = z.infer<typeof ContentBlock>;

export const SystemInit = z.looseObject({
  type: z.literal("system"),
  subtype: z.literal("init"),
  session_id: z.string(),
  model: z.optional(z.string()),
  cwd: z.optional(z.string()),
  tools: z.optional(z.array(z.string())),
  permissionMode: z.optional(z.string()),
  apiKeySource: z.optional(z.string()),
  claude_code_version: z.optional(z.string()),
});
export type SystemInit = z.infer<typeof SystemInit>;

export const ApiRetry = z.looseObject({
  type: z.literal("system"),
  subtype: z.literal("api_retry"),
  attempt: z.optional(z.number()),
  max_retries: z.optional(z.number()),
  retry_delay_ms: nullableNumber,
  error_status: nullableNumber,
  error: z.optional(z.nullable(z.string())),
});
export type ApiRetry = z.infer<typeof ApiRetry>;

/** Any other `system` line: background tasks, permission_denied, model_fallback, status, … */
export const SystemEvent = z.looseObject({ type: z.literal("system"), subtype: z.string() });
export type SystemEvent = z.infer<typeof SystemEvent>;

export const AssistantEvent = z.looseObject({
  type: z.literal("assistant"),
  message: z.looseObject({
    id: z.optional(z.string()),
    model: z.optional(z.string()),
    content: z.array(ContentBlock),
    stop_reason: z.optional(z.nullable(z.string())),
  }),
  /** Synthetic error turns: rate_limit, authentication_failed, max_output_tokens, … */
  error: z.optional(z.string()),
  is_api_error_message: z.optional(z.boolean()),
  api_error_status: nullableNumber,
  session_id: z.optional(z.string()),
});
export type AssistantEvent = z.infer<typeof AssistantEvent>;

export const UserEvent = z.looseObject({
  type: z.literal("user"),
  message: z.looseObject({ content: z.union([z.string(), z.array(ContentBlock)]) }),
  isSynthetic: z.optional(z.boolean()),
});
export type UserEvent = z.infer<typeof UserEvent>;

export const RateLimitEvent = z.looseObject({
  type: z.literal("rate_limit_event"),
  rate_limit_info: z.looseObject({
    status: z.string(),
    resetsAt: nullableNumber,
    rateLimitType: z.optional(z.nullable(z.string())),
  }),
});
export type RateLimitEvent = z.infer<typeof RateLimitEvent>;

export const ResultEvent = z.looseObject({
  type: z.literal("result"),
  subtype: z.string(),
  is_error: z.boolean(),
  /** Absent for error_max_turns / error_during_execution, which carry `errors`. */
  result: z.optional(z.string()),
  errors: z.optional(z.array(z.unknown())),
  session_id: z.optional(z.string()),
  total_cost_usd: nullableNumber,
  usage: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
  num_turns: nullableNumber,
  duration_ms: nullableNumber,
  stop_reason: z.optional(z.nullable(z.string())),
  terminal_reason: z.optional(z.nullable(z.string())),
  api_error_status: nullableNumber,
  result_index: nullableNumber,
});
export type ResultEvent = z.infer<typeof ResultEvent>;

/**
 * A piece of a message as the API streams it (`--include-partial-messages`): the raw SSE event
 * (`message_start`, `content_block_delta` with a `text_delta`, …) wrapped in a line. The whole
 * message still follows as an `assistant` line; these only show it being written.
 */
export const StreamEventLine = z.looseObject({
  type: z.literal("stream_event"),
  event: z.looseObject({ type: z.string() }),
  session_id: z.optional(z.string()),
});
export type StreamEventLine = z.infer<typeof StreamEventLine>;

/** One stdout line of the CLI, by kind. `text` is a line that is not a JSON object. */
export type ClaudeEvent =
  | { kind: "init"; event: SystemInit }
  | { kind: "api_retry"; event: ApiRetry }
  | { kind: "system"; event: SystemEvent }
  | { kind: "assistant"; event: AssistantEvent }
  | { kind: "user"; event: UserEvent }
  | { kind: "rate_limit"; event: RateLimitEvent }
  | { kind: "result"; event: ResultEvent }
  | { kind: "stream_event"; event: StreamEventLine }
  | { kind: "other"; event: Record<string, unknown> }
  | { kind: "text"; line: string };

type Parsed = Record<string, unknown>;

function typed<T>(schema: z.ZodMiniType<T>, value: Parsed): T | null {
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

function classify(value: Parsed): ClaudeEvent {
  const other: ClaudeEvent = { kind: "other", event: value };
  switch (value.type) {
    case "system": {
      if (value.subtype === "init") {
        const event = typed(SystemInit, value);
        return event ? { kind: "init", event } : other;
      }
      if (value.subtype === "api_retry") {
        const event = typed(ApiRetry, value);
        return event ? { kind: "api_retry", event } : other;
      }
      const event = typed(SystemEvent, value);
      return event ? { kind: "system", event } : other;
    }
    case "assistant": {
      const event = typed(AssistantEvent, value);
      return event ? { kind: "assistant", event } : other;
    }
    case "user": {
      const event = typed(UserEvent, value);
      return event ? { kind: "user", event } : other;
    }
    case "rate_limit_event": {
      const event = typed(RateLimitEvent, value);
      return event ? { kind: "rate_limit", event } : other;
    }
    case "result": {
      const event = typed(ResultEvent, value);
      return event ? { kind: "result", event } : other;
    }
    case "stream_event": {
      const event = typed(StreamEventLine, value);
      return event ? { kind: "stream_event", event } : other;
    }
    default:
      return other;
  }
}

/** Parses one line (without its newline). Never throws. */
export function parseClaudeLine(line: string): ClaudeEvent {
  const text = line.endsWith("\r") ? line.slice(0, -1) : line;
  if (!text.trimStart().startsWith("{")) return { kind: "text", line: text };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: "text", line: text };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { kind: "text", line: text };
  }
  return classify(value as Parsed);
}

/** Text blocks of an assistant line, joined. */
export function assistantText(event: AssistantEvent): string {
  return event.message.content
    .filter((block) => block.type === "text" && typeof block.text === "string")
    .map((block) => block.text as string)
    .join("");
}

/** Tool calls of an assistant line: name and input. */
export function toolCalls(event: AssistantEvent): Array<{ name: string; input: unknown }> {
  return event.message.content
    .filter((block) => block.type === "tool_use")
    .map((block) => ({ name: String(block.name ?? "?"), input: block.input }));
}

/** The text a result carries: `result`, else its `errors` joined. */
export function resultText(event: ResultEvent): string {
  if (typeof event.result === "string") return event.result;
  return (event.errors ?? []).map((error) => String(error)).join("; ");
}

/** What a streamed piece adds: text being written, thinking, or a tool call's input. */
export type StreamDelta =
  | { type: "text"; text: string }
  | { type: "thinking"; text: string }
  | { type: "tool_input"; text: string };

/** The delta a `content_block_delta` stream event carries, or null for any other event. */
export function streamDelta(event: StreamEventLine): StreamDelta | null {
  const inner = event.event;
  if (inner.type !== "content_block_delta") return null;
  const delta = inner.delta as Record<string, unknown> | undefined;
  if (!delta) return null;
  if (delta.type === "text_delta" && typeof delta.text === "string")
    return { type: "text", text: delta.text };
  if (delta.type === "thinking_delta" && typeof delta.thinking === "string")
    return { type: "thinking", text: delta.thinking };
  if (delta.type === "input_json_delta" && typeof delta.partial_json === "string")
    return { type: "tool_input", text: delta.partial_json };
  return null;
}

/** Output tokens a `message_delta` stream event reports for its message so far, else null. */
export function streamOutputTokens(event: StreamEventLine): number | null {
  const inner = event.event;
  if (inner.type !== "message_delta" && inner.type !== "message_start") return null;
  const usage = (
    inner.type === "message_start"
      ? (inner.message as { usage?: unknown } | undefined)?.usage
      : inner.usage
  ) as { output_tokens?: unknown } | undefined;
  return typeof usage?.output_tokens === "number" ? usage.output_tokens : null;
}
