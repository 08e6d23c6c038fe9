/**
 * The environment of a Claude run: the server's, the request's `env` over it, then the auth mode
 * (DESIGN §6). `subscription` (the default, as the original) removes ANTHROPIC_API_KEY whatever
 * its source, so the CLI uses its own login (e.g. Claude Max); `api-key` keeps it.
 */
import { childEnv } from "../supervisor/process/child-env.js";
import type { AuthMode } from "./detectors.js";

export function claudeEnv(
  overrides: Record<string, string | null> | undefined,
  executionId: string,
  authMode: AuthMode,
  base?: NodeJS.ProcessEnv,
): NodeJS.ProcessEnv {
  const env = childEnv(overrides, executionId, base);
  if (authMode === "subscription") delete env.ANTHROPIC_API_KEY;
  return env;
}
