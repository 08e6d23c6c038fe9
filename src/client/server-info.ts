/** `server.json` in the home: where a running server listens, written by `cc-executor server start`. */
import { readFileSync, rmSync, writeFileSync } from "node:fs";

export interface ServerInfo {
  pid: number;
  host: string;
  port: number;
  url: string;
  wsUrl: string;
  startedAt: string;
  version: string;
}

/**
 * Whether `pid` is a live process. A zombie (exited, not yet reaped — which can take a while
 * when the server was detached and its new parent reaps lazily) counts as gone.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  return !isZombie(pid);
}

/** Linux only: the state field of /proc/<pid>/stat; elsewhere nothing is known to be a zombie. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return false;
  }
}

/** The recorded server, or null when there is none or its process is gone. */
export function readServerInfo(path: string): ServerInfo | null {
  try {
    const info = JSON.parse(readFileSync(path, "utf8")) as ServerInfo;
    return typeof info.pid === "number" && processAlive(info.pid) ? info : null;
  } catch {
    return null;
  }
}

export function writeServerInfo(path: string, info: ServerInfo): void {
  writeFileSync(path, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
}

export function removeServerInfo(path: string, pid: number): void {
  try {
    const info = JSON.parse(readFileSync(path, "utf8")) as ServerInfo;
    if (info.pid === pid) rmSync(path, { force: true });
  } catch {
    // Nothing recorded, or someone else's record: leave it.
  }
}
