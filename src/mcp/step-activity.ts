/**
 * What one running task is doing, in the few words a progress message has room for: "running"
 * (a command), "Claude thinking", "Claude writing", "Claude using Bash", "retrying after a rate limit", "waiting
 * for the usage reset at 14:00 UTC". Fed with the CLI's stream-json lines and the server's
 * detections and retries (docs/claude.md) of the task's execution.
 */
import { LineSplitter } from "../protocol/line-splitter.js";
import { type ClaudeEvent, parseClaudeLine, streamDelta } from "../protocol/stream-json.js";

type Params = Record<string, unknown>;

export class StepActivity {
  /** What it is doing now; `describe()` adds the time. */
  phase: string;
  private readonly lines = new LineSplitter();

  constructor(
    readonly kind: "claude" | "command",
    readonly startedAtMs = Date.now(),
  ) {
    this.phase = kind === "claude" ? "Claude starting" : "running";
  }

  /** A chunk of the execution's stdout (Claude tasks: stream-json lines). */
  stdout(data: string): void {
    if (this.kind !== "claude") return;
    for (const line of this.lines.push(data)) this.claudeEvent(parseClaudeLine(line));
  }

  claudeEvent(event: ClaudeEvent): void {
    switch (event.kind) {
      case "init":
      case "user":
        this.phase = "Claude thinking";
        break;
      case "assistant": {
        const tool = event.event.message.content.find((block) => block.type === "tool_use");
        const name = tool && typeof tool.name === "string" ? tool.name : null;
        this.phase = name ? `Claude using ${name}` : "Claude thinking";
        break;
      }
      case "stream_event":
        // Partial messages: the answer is being written (the whole message follows).
        if (streamDelta(event.event)?.type === "text") this.phase = "Claude writing";
        break;
      case "result":
        this.phase = "Claude answered, finishing";
        break;
      default:
        break;
    }
  }

  /** A server notification about the execution: `error.*`, `claude.retry`, `process.started`. */
  notice(method: string, params: Params): void {
    if (method === "process.started") {
      if (this.kind === "claude") this.phase = "Claude thinking";
      return;
    }
    if (method === "error.rate_limit_exceeded") {
      const reset = typeof params.reset_timestamp === "number" ? params.reset_timestamp : null;
      if (params.error_type === "usage_limit") {
        this.phase =
          params.recoverable === true && reset !== null
            ? `waiting for the usage reset at ${clockTime(reset * 1000)}`
            : "usage limit reached";
      } else {
        this.phase =
          params.error_type === "overloaded"
            ? "retrying, the API is overloaded (529)"
            : "retrying after a rate limit";
      }
      return;
    }
    if (method === "claude.retry") {
      const attempt = `attempt ${params.attempt}/${params.max_attempts}`;
      const delayMs = typeof params.delay_ms === "number" ? params.delay_ms : 0;
      switch (params.reason) {
        case "usage_limit":
          this.phase = `waiting for the usage reset at ${clockTime(Date.now() + delayMs)}`;
          break;
        case "token_limit":
          this.phase = `retrying, answer was too long (${attempt})`;
          break;
        case "uuid_missing":
          this.phase = `retrying, UUID missing (${attempt})`;
          break;
        default:
          this.phase = `retrying after an API error (${attempt})`;
      }
    }
  }

  /** E.g. "Claude thinking, 45 s". */
  describe(nowMs = Date.now()): string {
    return `${this.phase}, ${Math.round((nowMs - this.startedAtMs) / 1000)} s`;
  }
}

function clockTime(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(11, 16)} UTC`;
}
