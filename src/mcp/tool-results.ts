/**
 * Tool results (DESIGN §13): text for the model plus `structuredContent`. Anything that went
 * wrong — bad arguments, a task that failed, a server out of reach — is a result with
 * `isError: true` whose text says what failed and how to retry; never a protocol error.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { ConnectionLostError, RemoteError, RequestTimeoutError } from "../client/errors.js";

export function success(text: string, structured: object): CallToolResult {
  return {
    content: [{ type: "text", text }],
    structuredContent: structured as Record<string, unknown>,
  };
}

/** A failure; its structured result, when there is one, still goes along. */
export function failure(text: string, structured?: object): CallToolResult {
  const result: CallToolResult = { content: [{ type: "text", text }], isError: true };
  if (structured !== undefined) result.structuredContent = structured as Record<string, unknown>;
  return result;
}

interface Issue {
  file?: string | null;
  line?: number | null;
  field?: string;
  message?: string;
}

/** An error from the client SDK or the server, as a model should read it, or null if unknown. */
export function describeError(error: unknown): string {
  if (error instanceof RemoteError) {
    // The message usually lists the issues already; add those it does not.
    const missing = issuesOf(error.data)
      .map(issueLine)
      .filter((line) => !error.message.includes(line));
    return [error.message, ...missing].join("\n");
  }
  if (error instanceof RequestTimeoutError) {
    return `the cc-executor server did not answer in time (${error.message}); it may be overloaded — try again`;
  }
  if (error instanceof ConnectionLostError || isConnectFailure(error)) {
    return `cannot reach the cc-executor server (${(error as Error).message}). Start it with \`cc-executor server start --detach\` (or check \`cc-executor server status\`), then call the tool again`;
  }
  return error instanceof Error ? error.message : String(error);
}

function issuesOf(data: unknown): Issue[] {
  if (typeof data !== "object" || data === null) return [];
  const issues = (data as { issues?: unknown }).issues;
  return Array.isArray(issues) ? (issues as Issue[]) : [];
}

function issueLine(issue: Issue): string {
  const where = [issue.file, issue.line].filter((part) => part !== null && part !== undefined);
  const place = where.length > 0 ? `${where.join(":")}: ` : "";
  const field = issue.field ? `${issue.field}: ` : "";
  return `${place}${field}${issue.message ?? "invalid"}`;
}

function isConnectFailure(error: unknown): boolean {
  return error instanceof Error && /ECONNREFUSED|connect|handshake/i.test(error.message);
}

/** "12.3 s", "4 min 05 s". */
export function formatDuration(ms: number | null): string {
  if (ms === null) return "?";
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} min ${String(seconds).padStart(2, "0")} s`;
}

export function formatCost(usd: number | null): string {
  if (usd === null) return "";
  return `$${usd.toFixed(usd >= 0.01 ? 2 : 4)}`;
}

/** The first line of a prompt or command, short enough for a progress message. */
export function titleOf(text: string, max = 60): string {
  const line = text.trim().split("\n")[0] ?? "";
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}
