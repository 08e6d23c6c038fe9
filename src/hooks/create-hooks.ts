/**
 * The server's HookService from its settings: hooks run in (and module paths start at) the
 * folder of the cc-executor.config.json that configured them — the working directory's, else the
 * home's, the order in which settings read them.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Settings } from "../config/settings.js";
import type { Logger } from "../log/logger.js";
import { HookService } from "./hook-service.js";

export function createHooks(
  settings: Pick<Settings, "hooks" | "home">,
  options: { shellPath: string; logger: Logger; cwd?: string },
): HookService {
  const cwd = options.cwd ?? process.cwd();
  const baseDir = existsSync(join(cwd, "cc-executor.config.json")) ? cwd : settings.home;
  return new HookService(settings.hooks, {
    baseDir,
    shellPath: options.shellPath,
    logger: options.logger,
  });
}
