/**
 * What every tool gets: the link to the cc-executor server, the folder relative paths resolve
 * against (the MCP server's own working directory: where the orchestrating session works), the
 * progress interval, and the request's `extra` (its abort signal, progress token, notifier).
 */
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { ServerNotification, ServerRequest } from "@modelcontextprotocol/sdk/types.js";
import type { Logger } from "../log/logger.js";
import type { ExecutorLink } from "./executor-link.js";
import type { SendProgress } from "./progress-reporter.js";

export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export interface ToolContext {
  link: ExecutorLink;
  baseDir: string;
  progressIntervalMs: number;
  log: Logger;
}

/** The request's progress channel, or null when the client sent no `progressToken`. */
export function progressSender(extra: ToolExtra): SendProgress | null {
  const token = extra._meta?.progressToken;
  if (token === undefined) return null;
  return (params) =>
    extra.sendNotification({
      method: "notifications/progress",
      params: { progressToken: token, ...params },
    });
}
