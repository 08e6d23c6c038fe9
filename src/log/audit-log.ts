/**
 * The audit trail (DESIGN §11): refused handshakes with their reason, every execution (command,
 * cwd, who), signals and exits, as JSON lines in `logs/audit.jsonl` (0600). It records what
 * was run and by whom, never the token or environment values.
 */
import type { Logger } from "pino";
import { requireCjs } from "../runtime/require-cjs.js";

const { pino } = requireCjs("pino") as typeof import("pino");

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

export function openAuditLog(path: string): AuditLog {
  // Synchronous writes: an audit line is on disk when record() returns, even if the server is
  // killed right after, and close() has no in-flight write to lose. Audit lines are few (one
  // per connection, execution, signal, exit), so this costs nothing on the output path.
  const destination = pino.destination({ dest: path, mkdir: true, sync: true, mode: 0o600 });
  const logger: Logger = pino(
    { base: null, timestamp: pino.stdTimeFunctions.isoTime },
    destination,
  );
  let closed = false;
  return {
    // Sockets can still report (e.g. "disconnected") after the server closed the log.
    record: (entry) => {
      if (!closed) logger.info(entry);
    },
    close: () => {
      if (closed) return;
      closed = true;
      destination.end();
    },
  };
}

export const noAudit: AuditLog = { record: () => {}, close: () => {} };
