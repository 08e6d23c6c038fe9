/**
 * The MCP SDK's own client over stdio against the real `cc-executor mcp` process (the built
 * bundle, as Claude Code would start it), for tests. Every client made is closed (its process
 * ended) by `closeAll()`.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult, Progress } from "@modelcontextprotocol/sdk/types.js";
import { CLI_PATH, cliEnv } from "./cli-process.js";

export interface McpProcess {
  client: Client;
  transport: StdioClientTransport;
  /** The `cc-executor mcp` process. */
  pid: number;
  stderr(): string;
  /** Calls a tool; `onprogress` asks for progress (a progressToken is sent). */
  call(
    name: string,
    args: Record<string, unknown>,
    options?: { onprogress?: (progress: Progress) => void; signal?: AbortSignal },
  ): Promise<CallToolResult>;
  close(): Promise<void>;
}

const open: McpProcess[] = [];

export async function startMcp(
  home: string,
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<McpProcess> {
  const env = cliEnv(home, options.env) as Record<string, string>;
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI_PATH, "mcp"],
    env,
    cwd: options.cwd,
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (data: Buffer) => {
    stderr += data.toString();
  });
  const client = new Client({ name: "cc-executor-test", version: "1.0.0" });
  await client.connect(transport);
  const mcp: McpProcess = {
    client,
    transport,
    pid: transport.pid ?? -1,
    stderr: () => stderr,
    async call(name, args, callOptions = {}) {
      const result = await client.callTool({ name, arguments: args }, undefined, {
        onprogress: callOptions.onprogress,
        signal: callOptions.signal,
        timeout: 120_000,
        resetTimeoutOnProgress: true,
      });
      return result as CallToolResult;
    },
    async close() {
      const index = open.indexOf(mcp);
      if (index >= 0) open.splice(index, 1);
      await client.close();
    },
  };
  open.push(mcp);
  return mcp;
}

export async function closeAllMcp(): Promise<void> {
  await Promise.all([...open].map((mcp) => mcp.close()));
}

/** The text of a tool result. */
export function textOf(result: CallToolResult): string {
  return result.content.map((part) => (part.type === "text" ? part.text : "")).join("\n");
}

/** The structured result, typed loosely for assertions. */
export function structuredOf(result: CallToolResult): Record<string, unknown> & {
  tasks?: Array<Record<string, unknown>>;
} {
  return (result.structuredContent ?? {}) as Record<string, unknown>;
}
