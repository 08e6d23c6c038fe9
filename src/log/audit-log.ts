/**
 * The audit trail (DESIGN §11): refused handshakes with their reason, every execution (command,
 * cwd, who), signals and exits, as JSON lines in `logs/audit.jsonl` (0600). It records what
 * was run and by whom, never the token or environment values. Files are rotated by size
 * (`audit.jsonl.1` … `.N`), so nothing fills the disk.
 *
 * Refusals go to a file of their own, `audit-refusals.jsonl`, with its own size budget: anyone
 * can be refused (no token is needed for that), so a flood of refusals may rotate older
 * refusals out, but never the records of what was run.
 */
import { jsonLine } from "./json-line.js";
import { openRotatingFile, type RotatingFile, type Rotation } from "./rotating-file.js";

export type AuditEvent =
  | { event: "refused"; reason: string; peer: string; path: string }
  | {
      /** Refusals of one reason past the rate that is recorded one by one (refusal-audit.ts). */
      event: "refused_summary";
      reason: string;
      count: number;
      since: string;
      until: string;
      /** The first distinct peer addresses among them (at most a few). */
      peers: string[];
    }
  | {
      event: "connected";
      session_id: string;
      peer: string;
      path: string;
      auth: "token" | "cookie" | "none";
    }
  /** A dashboard login code traded for a session cookie (server/dashboard/). */
  | { event: "dashboard_login"; peer: string }
  /** A dashboard session ended by its Log out (server/dashboard/). */
  | { event: "dashboard_logout"; peer: string }
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

export type AuditRotation = Rotation;

export const DEFAULT_AUDIT_ROTATION: AuditRotation = { maxBytes: 16 * 1024 * 1024, keepFiles: 3 };
export const DEFAULT_REFUSALS_ROTATION: AuditRotation = { maxBytes: 4 * 1024 * 1024, keepFiles: 1 };

/** `…/audit.jsonl` → `…/audit-refusals.jsonl` */
export function refusalsPathFor(auditPath: string): string {
  return auditPath.replace(/(\.jsonl)?$/, "-refusals.jsonl");
}

const isRefusal = (entry: AuditEvent): boolean =>
  entry.event === "refused" || entry.event === "refused_summary";

/**
 * Opens (appends to) the audit file; the refusals file is opened with the first refusal. A write
 * that fails (a full disk) is reported through `onError` and never thrown at the caller: auditing
 * must not break the request it records.
 */
export function openAuditLog(
  path: string,
  onError: (error: unknown) => void = () => {},
  rotation: AuditRotation = DEFAULT_AUDIT_ROTATION,
  refusals: { path: string; rotation: AuditRotation } = {
    path: refusalsPathFor(path),
    rotation: DEFAULT_REFUSALS_ROTATION,
  },
): AuditLog {
  const main = openRotatingFile(path, rotation, onError);
  let refusalFile: RotatingFile | null = null;
  let closed = false;
  const refusalsFile = (): RotatingFile | null => {
    if (refusalFile) return refusalFile;
    try {
      refusalFile = openRotatingFile(refusals.path, refusals.rotation, onError);
    } catch (error) {
      onError(error);
    }
    return refusalFile;
  };
  return {
    // Sockets can still report (e.g. "disconnected") after the server closed the log.
    record: (entry) => {
      if (closed) return;
      const line = jsonLine({ time: new Date().toISOString() }, entry, undefined);
      if (isRefusal(entry)) refusalsFile()?.write(line);
      else main.write(line);
    },
    close: () => {
      closed = true;
      main.close();
      refusalFile?.close();
    },
  };
}

export const noAudit: AuditLog = { record: () => {}, close: () => {} };
