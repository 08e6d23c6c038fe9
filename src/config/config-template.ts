/**
 * The `cc-executor.config.json` that `cc-executor init` writes: JSON with comments (the loader
 * reads it with jsonc-parser), every common setting present but commented out at its default,
 * so the file explains itself and changes nothing until a line is uncommented. A test
 * uncomments every line and checks the result loads as the defaults.
 */
export const CONFIG_FILE_NAME = "cc-executor.config.json";

export const CONFIG_TEMPLATE = `{
  // cc-executor settings, written by \`cc-executor init\`. Every key is optional; each line
  // below shows a setting at its default: remove the // in front of it to change it.
  // Sources, lowest priority first: defaults < this file < .env < environment < flags.
  // A cc-executor.config.json in the current directory is read instead of this one.
  // Durations are seconds. Every setting: docs/configuration.md

  // The server
  // "port": 8003,
  // "host": "127.0.0.1",          // beyond loopback: the token is required, and a warning shown
  // "maxSessions": 100,           // WebSocket connections at once

  // Executions
  // "shell": "default",           // zsh, bash, sh, or default (zsh if installed, else bash)
  // "allowedCommands": null,      // e.g. ["git", "npm"]: only these first words may run
  // "maxConcurrent": 16,          // running at once; more wait in the queue
  // "killGrace": 5,               // seconds from SIGTERM to SIGKILL on cancel or timeout

  // History (SQLite in the home, or Redis)
  // "history": "on",              // "off": keep it in memory only
  // "historyMaxAge": 2592000,     // seconds (30 days); 0 keeps everything
  // "redisUrl": null,             // e.g. "redis://127.0.0.1:6379"

  // Claude runs (docs/claude.md)
  // "claudeBin": null,            // the Claude Code CLI; null: \`claude\` on the PATH
  // "claudeAuth": "subscription", // or "api-key": pass ANTHROPIC_API_KEY through
  // "claudeRetries": 2,           // extra attempts after a recoverable failure

  // Pre/post-execution hooks (docs/hooks.md)
  // "hooks": { "pre": [], "post": [] },
}
`;
