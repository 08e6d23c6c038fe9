/**
 * Is the Claude Code CLI here, and can it run? Used by `cc-executor doctor` and the demo to say
 * plainly why Claude runs would fail before any is started.
 *
 * `claude auth status` answers at once and without the network. It is asked with the env the
 * server gives the CLI: in the default subscription mode ANTHROPIC_API_KEY is removed, so only a
 * login counts.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { findExecutable } from "../supervisor/process/shell.js";

export interface ClaudeLocation {
  path: string;
  /** Found only as this package's own devDependency (node_modules/.bin), not on PATH. */
  local: boolean;
}

export interface ClaudeAuth {
  ok: boolean;
  /** "logged in (claude.ai)", "not logged in", or why it could not be asked. */
  why: string;
}

const AUTH_CHECK_MS = 15_000;

/** The binary the server would run: CC_EXECUTOR_CLAUDE_BIN, else `claude` on PATH, else a local one. */
export function findClaude(configured: string | null, packageRoot: string): ClaudeLocation | null {
  if (configured) {
    const found = findExecutable(configured);
    return found ? { path: found, local: false } : null;
  }
  const onPath = findExecutable("claude");
  if (onPath) return { path: onPath, local: false };
  const local = findExecutable(join(packageRoot, "node_modules", ".bin", "claude"));
  return local ? { path: local, local: true } : null;
}

export function claudeVersion(path: string): string | null {
  const result = spawnSync(path, ["--version"], {
    encoding: "utf8",
    timeout: AUTH_CHECK_MS,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return result.status === 0 ? result.stdout.trim() : null;
}

export function claudeAuth(path: string, authMode: "subscription" | "api-key"): ClaudeAuth {
  const env: NodeJS.ProcessEnv = { ...process.env, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1" };
  if (authMode === "subscription") delete env.ANTHROPIC_API_KEY;
  const result = spawnSync(path, ["auth", "status"], {
    env,
    encoding: "utf8",
    timeout: AUTH_CHECK_MS,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (result.error) return { ok: false, why: `could not be asked (${result.error.message})` };
  let status: { loggedIn?: boolean; authMethod?: string } | null = null;
  try {
    status = JSON.parse(result.stdout);
  } catch {
    // Older CLIs print text; the exit code still says it.
  }
  if (result.status === 0 && status?.loggedIn !== false) {
    return { ok: true, why: `logged in${status?.authMethod ? ` (${status.authMethod})` : ""}` };
  }
  const hint =
    authMode === "subscription" && process.env.ANTHROPIC_API_KEY
      ? " (ANTHROPIC_API_KEY is set, but is used only with CC_EXECUTOR_CLAUDE_AUTH=api-key)"
      : "";
  return { ok: false, why: `not logged in${hint}` };
}
