/**
 * `/ws/claude` (DESIGN §6, from the original's TypeScript sibling): one prompt per connection,
 * the CLI's stdout lines back as one text frame each. The Host/Origin/token checks have run
 * before this is reached (upgrade.ts).
 *
 * server → `{"info":"send {prompt,meta}"}`; client → `{"prompt":"…","meta":"TASK-123"}`.
 * Close codes: 1000 the run completed; 1008 invalid JSON or fields; 1011 the run failed, timed
 * out (default 5 min) or could not start, after an `{"error":"…"}` frame; 1013 past MAX_SESSIONS,
 * which these sockets share with `/ws/mcp`, after an `{"error":"session limit reached …"}` frame.
 * Closing the socket kills the run's process group; so does a peer that stops answering pings.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { RawData, WebSocket } from "ws";
import type {
  ExecutionHandle,
  ExecutionListener,
  ExecutionResult,
  OutputChunk,
} from "../engine/execution-handle.js";
import { LineSplitter } from "../protocol/line-splitter.js";
import * as z from "../protocol/zod.js";
import { refuse } from "./http-routes.js";
import { watchLiveness } from "./peer-liveness.js";
import type { AuthKind } from "./request-guard.js";
import type { ServerContext } from "./server-context.js";
import { sessionLimitMessage, sessionLimitReached } from "./session-limit.js";

export const CLAUDE_SOCKET_PATH = "/ws/claude";
export const MAX_PROMPT_BYTES = 8192;

const utf8 = new TextEncoder();

export const ClaudeSocketRequest = z.object({
  prompt: z.string().check(
    z.minLength(1, "prompt must not be empty"),
    z.refine(
      (text) => utf8.encode(text).length <= MAX_PROMPT_BYTES,
      `prompt must be at most ${MAX_PROMPT_BYTES} bytes`,
    ),
  ),
  meta: z.optional(
    z.string().check(z.regex(/^[A-Z0-9_-]+$/, "meta must match ^[A-Z0-9_\\-]+$"), z.maxLength(128)),
  ),
});

export function claudeSocketRoute(context: ServerContext) {
  return (ws: WebSocket, request: IncomingMessage, auth: AuthKind): void => {
    if (sessionLimitReached(context)) {
      // Authenticated already, so told in-band like /ws/mcp; 1013 is "try again later".
      refuse(context.audit, request, CLAUDE_SOCKET_PATH, "session limit reached");
      ws.send(JSON.stringify({ error: sessionLimitMessage(context) }));
      ws.close(1013, "session limit reached");
      return;
    }
    new ClaudeSocket(ws, request, context, auth).start();
  };
}

class ClaudeSocket implements ExecutionListener {
  private execution: ExecutionHandle | null = null;
  /** Aborted when the peer leaves: the run is canceled (or never admitted). */
  private readonly gone = new AbortController();
  private received = false;
  private closed = false;
  private readonly lines = new LineSplitter();
  private readonly decoder = new TextDecoder("utf-8");
  private readonly peer: string;
  private readonly sessionId = randomUUID();
  private stopLiveness: () => void = () => {};

  constructor(
    private readonly ws: WebSocket,
    request: IncomingMessage,
    private readonly context: ServerContext,
    private readonly auth: AuthKind,
  ) {
    this.peer = `${request.socket.remoteAddress ?? "?"}:${request.socket.remotePort ?? "?"}`;
  }

  start(): void {
    this.context.claudeSessions.add(this.sessionId);
    this.context.audit.record({
      event: "connected",
      session_id: this.sessionId,
      peer: this.peer,
      path: CLAUDE_SOCKET_PATH,
      auth: this.auth,
    });
    this.ws.on("message", (data, isBinary) => void this.receive(data, isBinary));
    this.ws.on("close", () => this.onClose());
    this.stopLiveness = watchLiveness(this.ws, this.context.settings.heartbeatIntervalMs);
    this.send(JSON.stringify({ info: "send {prompt,meta}" }));
  }

  // ExecutionListener: stdout lines out as frames; the end closes the socket.

  output(chunk: OutputChunk): void {
    if (chunk.stream !== "stdout") return;
    const text = this.decoder.decode(chunk.raw, { stream: true });
    for (const line of this.lines.push(text)) this.send(line);
  }

  ended(result: ExecutionResult): void {
    for (const line of this.lines.end()) this.send(line);
    this.execution?.removeListener(this);
    if (result.status === "completed") {
      this.close(1000, "done");
      return;
    }
    this.fail(failureText(result));
  }

  private async receive(data: RawData, isBinary: boolean): Promise<void> {
    if (this.received) {
      this.send(JSON.stringify({ error: "one prompt per connection; it is already running" }));
      return;
    }
    this.received = true;
    if (isBinary) return this.close(1008, "expected a JSON text frame");
    const text = Array.isArray(data) ? Buffer.concat(data).toString() : data.toString();
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return this.close(1008, "invalid JSON");
    }
    const parsed = ClaudeSocketRequest.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.join(".") || "message";
      return this.close(1008, `invalid ${where}: ${issue?.message ?? "bad value"}`.slice(0, 120));
    }
    await this.run(parsed.data.prompt, parsed.data.meta ?? null);
  }

  private async run(prompt: string, meta: string | null): Promise<void> {
    const { settings, engine } = this.context;
    try {
      const { handle } = await engine.start(
        {
          kind: "claude",
          params: {
            prompt,
            timeout: settings.claudeSocketTimeoutMs / 1000,
            retries: 0,
            kill_on_disconnect: true,
          },
        },
        {
          origin: { sessionId: this.sessionId, task: null },
          sessionId: this.sessionId,
          who: `${CLAUDE_SOCKET_PATH} ${this.peer}${meta ? ` ${meta}` : ""}`,
          signal: this.gone.signal,
          listener: this,
        },
      );
      this.execution = handle;
    } catch (error) {
      // The peer left while the run was being admitted: nothing runs, no one to tell.
      if (this.closed) return;
      this.fail(`could not start: ${(error as Error).message}`);
    }
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopLiveness();
    this.context.claudeSessions.delete(this.sessionId);
    this.context.audit.record({ event: "disconnected", session_id: this.sessionId });
    this.gone.abort();
  }

  private fail(message: string): void {
    this.send(JSON.stringify({ error: message }));
    this.close(1011, "claude run failed");
  }

  private send(text: string): void {
    if (!this.closed && this.ws.readyState === this.ws.OPEN) this.ws.send(text);
  }

  private close(code: number, reason: string): void {
    if (this.closed) return;
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(code, reason);
  }
}

function failureText(result: ExecutionResult): string {
  if (result.status === "timed_out") {
    return `timed out (${result.timeoutKind ?? "wall"} limit); the run was killed`;
  }
  if (result.error) return result.error;
  if (result.status === "canceled") return "canceled";
  if (result.status === "interrupted") return "interrupted: the server stopped";
  return `claude failed (exit code ${result.exitCode ?? "none"}, signal ${result.signal ?? "none"})`;
}
