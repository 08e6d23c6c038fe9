/**
 * `cc-executor mcp`: the MCP server on stdin/stdout. stdout carries MCP messages only — anything
 * else printed there would break the client's parser — so console output is sent to stderr.
 * It ends when stdin ends (the client went away); work it started goes on in the cc-executor
 * server.
 */
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { Logger } from "../log/logger.js";
import { type ConnectExecutor, ExecutorLink } from "./executor-link.js";
import { createMcpServer } from "./mcp-server.js";

export interface StdioOptions {
  connect: ConnectExecutor;
  /** Relative paths in tool arguments resolve here (default: this process's directory). */
  baseDir?: string;
  progressIntervalMs: number;
  log: Logger;
}

export async function serveStdio(options: StdioOptions): Promise<void> {
  // Nothing but MCP frames on stdout.
  console.log = console.error;
  console.info = console.error;
  const link = new ExecutorLink(options.connect);
  const server = createMcpServer({
    link,
    baseDir: options.baseDir ?? process.cwd(),
    progressIntervalMs: options.progressIntervalMs,
    log: options.log,
  });
  const ended = new Promise<void>((resolve) => {
    process.stdin.once("end", resolve);
    process.stdin.once("close", resolve);
  });
  await server.connect(new StdioServerTransport());
  options.log.info({ pid: process.pid }, "MCP server ready on stdio");
  await ended;
  options.log.info("stdin closed; MCP server ends");
  link.close();
  await server.close();
}
