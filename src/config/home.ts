/** The home directory ($CC_EXECUTOR_HOME) and the paths inside it (DESIGN §3). */
import { mkdirSync } from "node:fs";
import { join } from "node:path";

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

/** Creates the home (0700) and its logs folder if missing. */
export function ensureHome(root: string): HomePaths {
  const paths = homePaths(root);
  mkdirSync(paths.root, { recursive: true, mode: 0o700 });
  mkdirSync(paths.logs, { recursive: true, mode: 0o700 });
  return paths;
}
