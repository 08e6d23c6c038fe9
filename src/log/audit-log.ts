/**
 * The audit trail (DESIGN §11): refused handshakes with their reason, every execution (command,
 * cwd, who), signals and exits, as JSON lines in `logs/audit.jsonl` (0600). It records what
 * was run and by whom, never the token or environment values. The file is rotated by size
 * (`audit.jsonl.1` … `.N`), so a client hammering the server with refused handshakes cannot fill
 * the disk.
 */
import { closeSync, fstatSync, mkdirSync, openSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { jsonLine } from "./json-line.js";

export type AuditEvent =
  | { event: "refused"; reason: string; peer: string; path: string }
  | { event: "connected"; session_id: string; peer: string; path: string }
  | { event: "disconnected"; session_id: string }
  | {
      event: "execute";
      execution_id: string;
      command: string;
      cwd: string;
      session_id: string | null;
      kind: string;
    }
  | { event: "signal"; execution_id: string; action: string; session_id: string | null }
  | {
      event: "exit";
      execution_id: string;
      status: string;
      exit_code: number | null;
      signal: string | null;
      duration_ms: number;
    };

export interface AuditLog {
  record(entry: AuditEvent): void;
  close(): void;
}

export interface AuditRotation {
  /** The file is rotated once it reaches this size. */
  maxBytes: number;
  /** Rotated files kept beside the current one (at least 1). */
  keepFiles: number;
}

export const DEFAULT_AUDIT_ROTATION: AuditRotation = { maxBytes: 16 * 1024 * 1024, keepFiles: 3 };

/**
 * Opens (appends to) the audit file. A write that fails (a full disk) is reported through
 * `onError` and never thrown at the caller: auditing must not break the request it records.
 */
export function openAuditLog(
  path: string,
  onError: (error: unknown) => void = () => {},
  rotation: AuditRotation = DEFAULT_AUDIT_ROTATION,
): AuditLog {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  // Synchronous appends: an audit line is on disk when record() returns, even if the server is
  // killed right after, and close() has no write in flight to lose. Audit lines are few (one
  // per connection, execution, signal, exit), so this costs nothing on the output path.
  let fd: number | null = openSync(path, "a", 0o600);
  let sizeBytes = fstatSync(fd).size;
  // Renames first, while the old file stays open: if any step fails, lines still go somewhere.
  const rotate = (): void => {
    sizeBytes = 0; // after a failure, the next attempt comes another maxBytes later
    let shiftFailure: unknown = null;
    try {
      for (let n = rotation.keepFiles - 1; n >= 1; n--) {
        renameIfPresent(`${path}.${n}`, `${path}.${n + 1}`);
      }
    } catch (error) {
      shiftFailure = error; // bounding the current file matters more than keeping older ones
    }
    renameIfPresent(path, `${path}.1`);
    const next = openSync(path, "a", 0o600);
    closeSync(fd as number);
    fd = next;
    if (shiftFailure) throw shiftFailure;
  };
  return {
    // Sockets can still report (e.g. "disconnected") after the server closed the log.
    record: (entry) => {
      if (fd === null) return;
      try {
        if (sizeBytes >= rotation.maxBytes) rotate();
      } catch (error) {
        onError(error);
      }
      try {
        sizeBytes += writeSync(fd, jsonLine({ time: new Date().toISOString() }, entry, undefined));
      } catch (error) {
        onError(error);
      }
    },
    close: () => {
      if (fd === null) return;
      closeSync(fd);
      fd = null;
    },
  };
}

function renameIfPresent(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}

export const noAudit: AuditLog = { record: () => {}, close: () => {} };
