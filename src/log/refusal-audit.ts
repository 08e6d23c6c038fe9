/**
 * Refusals in the audit trail, bounded (DESIGN §11): anyone can be refused, as fast as they can
 * send, with a path or header of up to 16 KB. So each refused record has its path, reason and
 * peer cut to a few hundred characters, and past `burst` refusals of one reason within
 * `intervalMs`, the rest of that interval is recorded as one `refused_summary` with their count.
 * The reason is the text before its first ": " ("host not allowed: evil.example" counts as "host
 * not allowed"), so varying the details does not escape the count. Other events pass unchanged.
 */
import type { AuditEvent, AuditLog } from "./audit-log.js";

export interface RefusalLimits {
  /** Refusals of one reason recorded one by one per interval. */
  burst: number;
  intervalMs: number;
  /** Longest path, reason or peer text kept; the rest is replaced by its length. */
  maxTextChars: number;
  /** Distinct peer addresses listed in a summary. */
  maxPeers: number;
}

export const DEFAULT_REFUSAL_LIMITS: RefusalLimits = {
  burst: 20,
  intervalMs: 10_000,
  maxTextChars: 200,
  maxPeers: 10,
};

interface Interval {
  startMs: number;
  recorded: number;
  counted: number;
  firstCountedMs: number;
  lastCountedMs: number;
  peers: Set<string>;
  /** Writes the summary when the interval ends; set once a refusal is counted. */
  timer: NodeJS.Timeout | null;
}

export function limitRefusals(
  inner: AuditLog,
  limits: RefusalLimits = DEFAULT_REFUSAL_LIMITS,
  nowMs: () => number = Date.now,
): AuditLog {
  const intervals = new Map<string, Interval>();
  const cut = (text: string): string => truncate(text, limits.maxTextChars);

  const summarize = (reason: string, interval: Interval): void => {
    if (interval.timer) clearTimeout(interval.timer);
    interval.timer = null;
    if (interval.counted === 0) return;
    inner.record({
      event: "refused_summary",
      reason,
      count: interval.counted,
      since: new Date(interval.firstCountedMs).toISOString(),
      until: new Date(interval.lastCountedMs).toISOString(),
      peers: [...interval.peers],
    });
    interval.counted = 0;
  };

  const refused = (entry: Extract<AuditEvent, { event: "refused" }>): void => {
    const record = {
      ...entry,
      reason: cut(entry.reason),
      peer: cut(entry.peer),
      path: cut(entry.path),
    };
    const reason = cut(reasonOf(entry.reason));
    const now = nowMs();
    let interval = intervals.get(reason);
    if (interval && now - interval.startMs >= limits.intervalMs) {
      summarize(reason, interval);
      interval = undefined;
    }
    if (!interval) {
      interval = {
        startMs: now,
        recorded: 0,
        counted: 0,
        firstCountedMs: now,
        lastCountedMs: now,
        peers: new Set(),
        timer: null,
      };
      intervals.set(reason, interval);
    }
    if (interval.recorded < limits.burst) {
      interval.recorded++;
      inner.record(record);
      return;
    }
    if (interval.counted === 0) interval.firstCountedMs = now;
    interval.counted++;
    interval.lastCountedMs = now;
    if (interval.peers.size < limits.maxPeers) interval.peers.add(record.peer);
    if (!interval.timer) {
      const ending = interval;
      ending.timer = setTimeout(
        () => {
          summarize(reason, ending);
          if (intervals.get(reason) === ending) intervals.delete(reason);
        },
        Math.max(0, ending.startMs + limits.intervalMs - now),
      );
      ending.timer.unref();
    }
  };

  return {
    record: (entry) => {
      if (entry.event === "refused") refused(entry);
      else inner.record(entry);
    },
    close: () => {
      for (const [reason, interval] of intervals) summarize(reason, interval);
      intervals.clear();
      inner.close();
    },
  };
}

function reasonOf(reason: string): string {
  const colon = reason.indexOf(": ");
  return colon === -1 ? reason : reason.slice(0, colon);
}

/** `text` if short enough, else its start and its length: "/AAAA… (15001 chars)". */
export function truncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  return `${text.slice(0, maxChars)}… (${text.length} chars)`;
}
