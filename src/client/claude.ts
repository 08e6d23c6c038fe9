/**
 * Claude runs from the SDK (docs/claude.md): `client.claude(prompt, options)` resolves with a
 * typed result; `client.claudeStream(prompt, options)` also yields the CLI's stream-json lines
 * parsed (assistant text, tool calls, result), detections and retries as they happen.
 *
 *   const run = await client.claude("What is 2+2?", { allowedTools: ["Read"] });
 *   if (run.success) console.log(run.result, run.costUsd);
 *
 *   const stream = client.claudeStream("Refactor x.ts", { cwd });
 *   for await (const item of stream) if (item.type === "claude") console.log(item.event.kind);
 *   const final = await stream.result;
 */

import type { ClaudeCliOptions } from "../protocol/claude-options.js";
import { LineSplitter } from "../protocol/line-splitter.js";
import type { ClaudeExecuteRequest } from "../protocol/methods.js";
import type { ClaudeCompletion, ClaudeFailure } from "../protocol/notifications.js";
import { type ClaudeEvent, parseClaudeLine } from "../protocol/stream-json.js";
import type { ExecutionResult } from "./events.js";
import type { ExecutionStream, StartRequest } from "./execution-stream.js";

export type { ClaudeEvent } from "../protocol/stream-json.js";

/** The CLI's own options (model, tools, turns, …) plus how the service runs it. */
export interface ClaudeOptions extends ClaudeCliOptions {
  cwd?: string;
  /** Wall-clock limit (ms), or "auto" (learned from history). */
  timeoutMs?: number | "auto";
  idleTimeoutMs?: number;
  verifyUuid?: boolean;
  /** Extra attempts after a recoverable failure (server default 2). */
  retries?: number;
  executionId?: string;
  /** Merged over the server's environment; null removes a variable. */
  env?: Record<string, string | null>;
  waitForUsageReset?: boolean;
  authMode?: "subscription" | "api-key";
  killOnDisconnect?: boolean;
  /** Aborting cancels the run. */
  signal?: AbortSignal;
}

/** A detection (`error.*`) or retry the server announced during the run. */
export interface ClaudeNotice {
  method: string;
  params: Record<string, unknown>;
}

export interface ClaudeResult {
  executionId: string;
  /** True exactly when the run completed (a successful result, UUID found when asked). */
  success: boolean;
  status: ExecutionResult["status"];
  /** The final answer (text of the last result), null when there was none. */
  result: string | null;
  isError: boolean;
  subtype: string | null;
  sessionId: string | null;
  costUsd: number | null;
  usage: Record<string, unknown> | null;
  numTurns: number | null;
  attempts: number;
  uuidVerified?: boolean;
  failure?: ClaudeFailure;
  /** Why it failed, in words (auth, usage limit with reset time, …), else null. */
  error: string | null;
  durationMs: number;
  exitCode: number | null;
  signal: string | null;
  /** Detections and retries, in order. */
  notices: ClaudeNotice[];
  /** The underlying execution result (raw `process.completed` in `.completion`). */
  execution: ExecutionResult;
}

export type ClaudeStreamEvent =
  | { type: "started"; executionId: string; pid: number }
  | { type: "claude"; executionId: string; event: ClaudeEvent }
  | { type: "stderr"; executionId: string; data: string }
  | { type: "notice"; executionId: string; notice: ClaudeNotice }
  | { type: "status"; executionId: string; message: string; inactiveSeconds: number }
  | { type: "completed"; executionId: string; result: ClaudeResult };

/** What starts an execution: the client's `start` (so this file needs no client import). */
export type StartExecution = (
  request: StartRequest,
  options: { signal?: AbortSignal; collectOutput?: boolean },
  bufferEvents: boolean,
) => ExecutionStream;

function newExecutionId(): string {
  return globalThis.crypto.randomUUID();
}

export function claudeRequest(prompt: string, options: ClaudeOptions): StartRequest {
  const params: ClaudeExecuteRequest & { execution_id: string } = {
    prompt,
    execution_id: options.executionId ?? newExecutionId(),
  };
  if (options.cwd !== undefined) params.cwd = options.cwd;
  if (options.model !== undefined) params.model = options.model;
  if (options.allowedTools !== undefined) params.allowed_tools = options.allowedTools;
  if (options.permissionMode !== undefined) params.permission_mode = options.permissionMode;
  if (options.maxTurns !== undefined) params.max_turns = options.maxTurns;
  if (options.appendSystemPrompt !== undefined) {
    params.append_system_prompt = options.appendSystemPrompt;
  }
  if (options.resumeSession !== undefined) params.resume_session = options.resumeSession;
  if (options.mcpConfig !== undefined) params.mcp_config = options.mcpConfig;
  if (options.timeoutMs !== undefined) {
    params.timeout = options.timeoutMs === "auto" ? "auto" : options.timeoutMs / 1000;
  }
  if (options.idleTimeoutMs !== undefined) params.idle_timeout = options.idleTimeoutMs / 1000;
  if (options.verifyUuid !== undefined) params.verify_uuid = options.verifyUuid;
  if (options.retries !== undefined) params.retries = options.retries;
  if (options.env !== undefined) params.env = options.env;
  if (options.waitForUsageReset !== undefined) {
    params.wait_for_usage_reset = options.waitForUsageReset;
  }
  if (options.authMode !== undefined) params.auth_mode = options.authMode;
  if (options.killOnDisconnect !== undefined) params.kill_on_disconnect = options.killOnDisconnect;
  return { method: "claude.execute", params };
}

function isNotice(method: string): boolean {
  return method.startsWith("error.") || method === "claude.retry";
}

export function claudeResult(execution: ExecutionResult, notices: ClaudeNotice[]): ClaudeResult {
  const claude = (execution.completion.claude ?? {}) as Partial<ClaudeCompletion>;
  const result: ClaudeResult = {
    executionId: execution.executionId,
    success: execution.success,
    status: execution.status,
    result: claude.result ?? null,
    isError: claude.is_error ?? !execution.success,
    subtype: claude.subtype ?? null,
    sessionId: claude.session_id ?? null,
    costUsd: claude.cost_usd ?? null,
    usage: claude.usage ?? null,
    numTurns: claude.num_turns ?? null,
    attempts: claude.attempts ?? 1,
    error: execution.error,
    durationMs: execution.durationMs,
    exitCode: execution.exitCode,
    signal: execution.signal,
    notices,
    execution,
  };
  if (claude.uuid_verified !== undefined) result.uuidVerified = claude.uuid_verified;
  if (claude.failure !== undefined) result.failure = claude.failure;
  if (result.error === null && execution.status === "timed_out") {
    result.error = `timed out (${execution.timeoutKind ?? "wall"} limit)`;
  }
  return result;
}

/** Runs Claude to its end; a failed run is a result (`success: false`), not an exception. */
export async function runClaude(
  start: StartExecution,
  prompt: string,
  options: ClaudeOptions = {},
): Promise<ClaudeResult> {
  const stream = start(claudeRequest(prompt, options), { signal: options.signal }, false);
  const notices: ClaudeNotice[] = [];
  stream.onNotification((method, params) => {
    if (isNotice(method)) notices.push({ method, params });
  });
  return claudeResult(await stream.result, notices);
}

/** A Claude run as it happens: iterate it (once) for events; `result` settles at the end. */
export class ClaudeStream implements AsyncIterable<ClaudeStreamEvent> {
  readonly result: Promise<ClaudeResult>;
  private readonly notices: ClaudeNotice[] = [];

  constructor(private readonly inner: ExecutionStream) {
    inner.onNotification((method, params) => {
      if (isNotice(method)) this.notices.push({ method, params });
    });
    this.result = inner.result.then((execution) => claudeResult(execution, this.notices));
    this.result.catch(() => {});
  }

  get id(): string {
    return this.inner.id;
  }

  cancel(): Promise<unknown> {
    return this.inner.cancel();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ClaudeStreamEvent> {
    const lines = new LineSplitter();
    const executionId = this.inner.id;
    for await (const item of this.inner) {
      switch (item.type) {
        case "started":
          yield { type: "started", executionId, pid: item.pid };
          break;
        case "output":
          if (item.stream === "stderr") {
            yield { type: "stderr", executionId, data: item.data };
            break;
          }
          for (const line of lines.push(item.data)) {
            yield { type: "claude", executionId, event: parseClaudeLine(line) };
          }
          break;
        case "notification":
          if (isNotice(item.method)) {
            yield {
              type: "notice",
              executionId,
              notice: { method: item.method, params: item.params },
            };
          }
          break;
        case "status":
          yield {
            type: "status",
            executionId,
            message: item.message,
            inactiveSeconds: item.inactiveSeconds,
          };
          break;
        case "completed":
          for (const line of lines.end()) {
            yield { type: "claude", executionId, event: parseClaudeLine(line) };
          }
          yield {
            type: "completed",
            executionId,
            result: claudeResult(item.result, [...this.notices]),
          };
          break;
        default:
          break;
      }
    }
  }
}

export function streamClaude(
  start: StartExecution,
  prompt: string,
  options: ClaudeOptions = {},
): ClaudeStream {
  return new ClaudeStream(start(claudeRequest(prompt, options), { signal: options.signal }, true));
}
