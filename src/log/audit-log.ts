/**
 * The audit trail (DESIGN §11): refused handshakes with their reason, every execution (command,
 * cwd, who), signals and exits, as JSON lines in `logs/audit.jsonl` (0600). It records what
 * was run and by whom, never the token or environment values.
 */
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
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

/**
 * Opens (appends to) the audit file. A write that fails (a full disk) is reported through
 * `onError` and never thrown at the caller: auditing must not break the request it records.
 */
export function openAuditLog(path: string, onError: (error: unknown) => void = () => {}): AuditLog {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  // Synchronous appends: an audit line is on disk when record() returns, even if the server is
  // killed right after, and close() has no write in flight to lose. Audit lines are few (one
  // per connection, execution, signal, exit), so this costs nothing on the output path.
  let fd: number | null = openSync(path, "a", 0o600);
  return {
    // Sockets can still report (e.g. "disconnected") after the server closed the log.
    record: (entry) => {
      if (fd === null) return;
      try {
        writeSync(fd, jsonLine({ time: new Date().toISOString() }, entry, undefined));
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

export const noAudit: AuditLog = { record: () => {}, close: () => {} };
