/**
 * The argv of a Claude run, built without a shell (DESIGN §6, docs/claude-cli.md):
 * `claude -p --output-format stream-json --verbose --include-partial-messages [options] -- <prompt>`.
 * Partial messages make the answer stream as it is written (a `stream_event` line per delta): a
 * person sees the text arrive, and the idle watchdog sees activity while a long answer is being
 * generated (without them the CLI is silent until a whole message is done). The prompt goes last,
 * after `--`: `--allowedTools` and other flags are variadic and would swallow it, and a prompt
 * that starts with `-` must not be read as a flag.
 */

import type { ClaudeCliOptions } from "../protocol/claude-options.js";

export interface ClaudeArgvOptions extends ClaudeCliOptions {
  prompt: string;
}

/** Tool names from a list or a comma/space separated string, without empties. */
export function toolList(tools: string[] | string): string[] {
  const items = typeof tools === "string" ? tools.split(/[,\s]+/) : tools;
  return items.map((tool) => tool.trim()).filter((tool) => tool.length > 0);
}

/** The arguments after the binary. */
export function claudeArgs(options: ClaudeArgvOptions): string[] {
  const args = ["-p", "--output-format", "stream-json", "--verbose", "--include-partial-messages"];
  if (options.model !== undefined) args.push("--model", options.model);
  if (options.maxTurns !== undefined) args.push("--max-turns", String(options.maxTurns));
  if (options.permissionMode !== undefined) args.push("--permission-mode", options.permissionMode);
  if (options.appendSystemPrompt !== undefined) {
    args.push("--append-system-prompt", options.appendSystemPrompt);
  }
  if (options.resumeSession !== undefined) args.push("--resume", options.resumeSession);
  if (options.mcpConfig !== undefined) args.push("--mcp-config", options.mcpConfig);
  if (options.allowedTools !== undefined) {
    const tools = toolList(options.allowedTools);
    // One comma-joined value: the CLI accepts it, and nothing can be taken for a prompt.
    if (tools.length > 0) args.push("--allowedTools", tools.join(","));
  }
  args.push("--", options.prompt);
  return args;
}

/** The CLI to run: CC_EXECUTOR_CLAUDE_BIN when set, else `claude` looked up on the child's PATH. */
export function claudeBinary(configured: string | null): string {
  return configured && configured.trim() !== "" ? configured : "claude";
}
