/**
 * The Claude Code CLI's own options for a run, as callers name them (camelCase): the server builds
 * the CLI's argv from them (claude/claude-argv.ts), and the client SDK takes them from its users.
 */
export interface ClaudeCliOptions {
  model?: string;
  /** Tool names (`Write`, `Bash(git *)`); a string is split at commas. */
  allowedTools?: string[] | string;
  permissionMode?: string;
  maxTurns?: number;
  appendSystemPrompt?: string;
  resumeSession?: string;
  /** Passed to `--mcp-config` (a file path or a JSON string). */
  mcpConfig?: string;
}
