/** The home directory ($CC_EXECUTOR_HOME) and the paths inside it (DESIGN §3, §11). */
import { mkdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { untrustedReason } from "./owner-check.js";

export interface HomePaths {
  root: string;
  token: string;
  pidFile: string;
  serverInfo: string;
  logs: string;
  auditLog: string;
  spool: string;
  runs: string;
  historyDb: string;
}

/** A home that cannot be used; the message names the path and the fix. */
export class HomeError extends Error {
  override name = "HomeError";
}

export function homePaths(root: string): HomePaths {
  return {
    root,
    token: join(root, "token"),
    pidFile: join(root, "server.pid"),
    serverInfo: join(root, "server.json"),
    logs: join(root, "logs"),
    auditLog: join(root, "logs", "audit.jsonl"),
    spool: join(root, "spool"),
    runs: join(root, "runs"),
    historyDb: join(root, "history.db"),
  };
}

const USE_ANOTHER = "or set CC_EXECUTOR_HOME to a directory of your own";

/**
 * Throws HomeError when `root` exists but is no directory, belongs to another user, or others
 * can write it (they could plant a config file, swap the token or the history). A missing home
 * is fine: it is created 0700 on first use.
 */
export function checkHome(root: string): void {
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(root);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return;
    throw homeFailure(root, error);
  }
  if (!stats.isDirectory())
    throw new HomeError(`home ${root} is not a directory; remove it, ${USE_ANOTHER}`);
  const reason = untrustedReason(root, stats);
  if (reason) throw new HomeError(`not using it as the home: ${reason}, ${USE_ANOTHER}`);
}

/** Creates the home (0700) and its logs folder if missing, after checking it (checkHome). */
export function ensureHome(root: string): HomePaths {
  const paths = homePaths(root);
  checkHome(root);
  makeDirectory(paths.root);
  makeDirectory(paths.logs);
  return paths;
}

/**
 * `mkdir -p` with mode 0700, one level at a time: Node's own recursive mkdir loops forever on
 * some paths (`/proc/nohome`), and its errors do not say which level failed.
 */
function makeDirectory(path: string): void {
  try {
    mkdirSync(path, { mode: 0o700 });
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST" && isDirectory(path)) return;
    const parent = dirname(path);
    if (code !== "ENOENT" || parent === path || isDirectory(parent)) throw homeFailure(path, error);
    makeDirectory(parent);
  }
  try {
    mkdirSync(path, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST" || !isDirectory(path))
      throw homeFailure(path, error);
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function homeFailure(path: string, error: unknown): HomeError {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === "EACCES" || code === "EPERM"
      ? "permission denied"
      : code === "EEXIST" || code === "ENOTDIR"
        ? "a file is in the way"
        : code === "EROFS"
          ? "read-only file system"
          : code === "ENOENT"
            ? "no directory can be made there"
            : (code ?? (error as Error).message);
  return new HomeError(
    `cannot use ${path} for the cc-executor home (${why}); fix it, ${USE_ANOTHER}`,
  );
}
